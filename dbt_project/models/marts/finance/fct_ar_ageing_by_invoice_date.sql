{#- Accounts-receivable ageing by invoice date (DESIGN.md §4 "Ageing by invoice date is a
    second, labelled view, never mixed with the first"): the same open items and snapshot dates
    as fct_ar_ageing, bucketed on days since issue instead of days past due.

    Incremental as fct_ar_ageing (delete+insert by snapshot_date and invoice_id, the same
    restatement scope from the same macros, taken since the latest `loaded_at` this model
    holds): a daily build copies the restated cells of fct_ar_ageing, built just before, and
    withdraws held rows of those cells that fct_ar_ageing no longer has. -#}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_payment_allocations') }}
-- depends_on: {{ ref('stg_erp__invoices') }}, {{ ref('stg_erp__customers') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
-- depends_on: {{ ref('stg_fx__rates') }}, {{ ref('int_payment_allocations_dated') }}
-- depends_on: {{ ref('int_ageing_snapshot_dates') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['snapshot_date', 'invoice_id'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

{%- if is_incremental() %}

restated_invoices as (

    {{ invoices_touched_since_last_build() }}

),

restated_snapshots as (

    {{ ageing_snapshots_restated_since_last_build() }}

),
{%- endif %}

ageing as (

    select * from {{ ref('fct_ar_ageing') }} as ageing
    {%- if is_incremental() %}
    where {{ in_restated_ageing_cells('ageing') }}
    {%- endif %}

),

aged_by_issue as (

    select
        *,
        cast(
            {{ dbt.datediff('issue_date', 'snapshot_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_since_issue
    from ageing

),

final as (

    select
        snapshot_date,
        invoice_id,
        debtor_id,
        segment,
        currency,
        due_date,
        days_past_due,
        {{ finance_ageing_bucket('days_since_issue') }} as ageing_bucket,
        open_amount,
        open_amount_rc,
        issue_date,
        days_since_issue,
        'invoice_date' as ageing_basis,
        invoice_number,
        debtor_name,
        reporting_currency,
        fx_rate,
        fx_rate_date,
        is_latest_snapshot,
        {{ ar_inputs_loaded_at() }} as loaded_at
    from aged_by_issue

)
{%- if is_incremental() %},

-- Held rows of the restated cells that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_ageing_rows() }}

),

batch as (

    select * from final
    union all
    select * from withdrawn

)

-- Written in snapshot order: a reader of one snapshot reads only that snapshot's row groups
-- (DuckDB skips the others by their min/max dates); a daily build appends its batch in that
-- order too.
select * from batch
order by snapshot_date
{%- else %}

-- Written in snapshot order: a reader of one snapshot (every ageing page) reads only that
-- snapshot's row groups (DuckDB skips the others by their min/max dates).
select * from final
order by snapshot_date
{%- endif %}
