{#- Credit sales documents (DESIGN.md §4): every invoice (+ amount) and credit note (- amount)
    issued on or before as_of, converted at the rate of its issue date (latest rate on or
    before it), rounded to the cent per document.

    Incremental (delete+insert by document_id). `loaded_at` is the newest `_loaded_at` of the
    three staging inputs when a row was written (newest_raw_load). A row depends on its
    document, its debtor's customer record (segment) and the rate in force on its issue date,
    and enters the model once as_of reaches its issue date, so a daily build rewrites the
    documents (last_build_load: loaded after the latest `loaded_at` it holds)
    - loaded since (new, corrected or re-sent);
    - of a debtor whose customer record was loaded since;
    - in the currency of an FX rate loaded since and issued in its window
      (fx_rate_windows_loaded_since_last_build);
    - issued after the latest issue date it holds, up to as_of (as_of moved on; the as-of
      date of a daily build is never earlier than the last build's).
    A document of that scope no longer issued on or before as_of (re-dated later) is withdrawn:
    the batch carries its held row with a null `loaded_at`, and the post-hook deletes it
    (remove_withdrawn_rows). -#}
-- depends_on: {{ ref('stg_erp__invoices') }}, {{ ref('stg_erp__customers') }}
-- depends_on: {{ ref('stg_fx__rates') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='document_id',
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
{%- set inputs = [ref('stg_erp__invoices'), ref('stg_erp__customers'), ref('stg_fx__rates')] %}
with

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),
{%- if is_incremental() %}

-- What this build restates (see the header).
restated_documents as (

    select invoices.invoice_id as document_id
    from {{ ref('stg_erp__invoices') }} as invoices
    where
        invoices._loaded_at > {{ last_build_load() }}
        or invoices.issue_date > (
            select coalesce(max(held.issue_date), cast('1900-01-01' as date))
            from {{ this }} as held
        )
        or invoices.debtor_id in (
            select customers.debtor_id
            from customers
            where customers._loaded_at > {{ last_build_load() }}
        )
        or exists (
            select 1
            from ({{ fx_rate_windows_loaded_since_last_build() }}) as rate_windows
            where
                rate_windows.currency = invoices.currency
                and invoices.issue_date >= rate_windows.valid_from
                and invoices.issue_date < rate_windows.valid_to
        )

),
{%- endif %}

invoices as (

    select * from {{ ref('stg_erp__invoices') }}
    {%- if is_incremental() %}
    where invoice_id in (select restated.document_id from restated_documents as restated)
    {%- endif %}

),

documents as (

    select
        invoice_id as document_id,
        document_type,
        reference_invoice_id,
        debtor_id,
        issue_date,
        currency,
        case
            when document_type = 'credit_note' then 0 - document_amount else document_amount
        end as signed_amount
    from invoices
    where issue_date <= {{ as_of_date() }}

),

issue_dates as (

    select distinct issue_date from documents

),

issue_date_rates as (

    {{ fx_rates_on_dates('issue_dates', 'issue_date', 'fx_rates') }}

),

final as (

    select
        documents.document_id,
        documents.document_type,
        documents.reference_invoice_id,
        documents.debtor_id,
        {{ finance_segment('customers.segment') }} as segment,
        documents.issue_date,
        cast({{ dbt.date_trunc('month', 'documents.issue_date') }} as date) as sales_month,
        documents.currency,
        cast(documents.signed_amount as decimal(18, 2)) as signed_amount,
        cast(issue_date_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        issue_date_rates.rate_date as fx_rate_date,
        cast(
            round(documents.signed_amount * issue_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as signed_amount_rc,
        {{ newest_raw_load(inputs) }} as loaded_at
    from documents
    left join customers
        on documents.debtor_id = customers.debtor_id
    left join issue_date_rates
        on
            documents.issue_date = issue_date_rates.issue_date
            and documents.currency = issue_date_rates.currency

)
{%- if is_incremental() %},

-- Held documents of the restated scope that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'held_rows.document_id in (select restated.document_id from restated_documents as restated)',
        ['document_id']
    ) }}

)

select * from final

union all

select * from withdrawn
{%- else %}

select * from final
{%- endif %}
