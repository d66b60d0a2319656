{#- The open items of the ledger (DESIGN.md §4 "Ageing"): the balance history of every invoice,
    one row per invoice and period of constant balance. The one home of the open-amount rule:
    fct_ar_ageing, fct_unapplied_credit, int_finance_ar_balances (DSO) and
    int_case_file_ledger read it, and so can any date (not only the ageing snapshots).

    A period starts on each date the invoice's balance moves: its issue date (+ amount), each
    payment date (− allocations; payment date = bank value date, else allocated_at, from
    int_payment_allocations_dated) and each issue date of a credit note referencing it (− the
    credit note). A movement dated before the invoice's issue date counts on the issue date
    (invoice_movement_date: the invoice does not exist before it). The balance holds from
    valid_from (included) to valid_to (excluded); valid_to is null for the current period:

        balance = invoice_amount − allocated_amount_to_date − credited_amount_to_date
        open_amount = max(balance, 0); unapplied_credit_amount = max(−balance, 0)

    in the invoice currency. The balance at a date d is the row with
    valid_from ≤ d and (valid_to is null or d < valid_to); before the issue date there is none.
    Movements dated after the build's as-of date are kept (readers pick their dates).

    Incremental by invoice (delete+insert of all of an invoice's periods): a daily build
    recomputes, from the full history of its inputs, every invoice a file loaded since the
    latest `loaded_at` it holds touches (invoices_touched_since_last_build: the invoice, a
    credit note or allocation referring to it in any version, the bank entry dating a
    payment, its customer). Nothing else can change a period: balances are in the invoice
    currency (no FX) and do not depend on the as-of date. An invoice of that scope that yields
    no period any more (now a credit note) is withdrawn: the batch carries its held rows with a
    null `loaded_at`, and the post-hook deletes them (remove_withdrawn_rows). -#}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_payment_allocations') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
-- depends_on: {{ ref('stg_fx__rates') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='invoice_id',
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

payment_allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

{%- if is_incremental() %}

restated_invoices as (

    {{ invoices_touched_since_last_build() }}

),
{%- endif %}

invoice_documents as (

    select
        invoice_id,
        issue_date,
        document_amount as invoice_amount
    from invoices
    where
        document_type = 'invoice'
    {% if is_incremental() -%}
        and invoice_id in (select restated_invoices.invoice_id from restated_invoices)
    {%- endif %}

),

movements as (

    select
        invoice_id,
        issue_date as movement_date,
        cast(0 as decimal(18, 2)) as allocated_amount,
        cast(0 as decimal(18, 2)) as credited_amount
    from invoice_documents

    union all

    select
        invoice_documents.invoice_id,
        {{ invoice_movement_date('payment_allocations.payment_date', 'invoice_documents.issue_date') }}
            as movement_date,
        payment_allocations.allocated_amount,
        cast(0 as decimal(18, 2)) as credited_amount
    from payment_allocations
    inner join invoice_documents
        on payment_allocations.invoice_id = invoice_documents.invoice_id

    union all

    select
        invoice_documents.invoice_id,
        {{ invoice_movement_date('credit_notes.issue_date', 'invoice_documents.issue_date') }}
            as movement_date,
        cast(0 as decimal(18, 2)) as allocated_amount,
        credit_notes.document_amount as credited_amount
    from invoices as credit_notes
    inner join invoice_documents
        on credit_notes.reference_invoice_id = invoice_documents.invoice_id
    where credit_notes.document_type = 'credit_note'

),

daily_movements as (

    select
        invoice_id,
        movement_date,
        sum(allocated_amount) as allocated_amount,
        sum(credited_amount) as credited_amount
    from movements
    group by invoice_id, movement_date

),

periods as (

    select
        invoice_id,
        movement_date as valid_from,
        lead(movement_date) over (
            partition by invoice_id order by movement_date
        ) as valid_to,
        sum(allocated_amount) over (
            partition by invoice_id
            order by movement_date
            rows between unbounded preceding and current row
        ) as allocated_amount_to_date,
        sum(credited_amount) over (
            partition by invoice_id
            order by movement_date
            rows between unbounded preceding and current row
        ) as credited_amount_to_date
    from daily_movements

),

balances as (

    select
        periods.invoice_id,
        periods.valid_from,
        periods.valid_to,
        invoice_documents.invoice_amount,
        periods.allocated_amount_to_date,
        periods.credited_amount_to_date,
        invoice_documents.invoice_amount
        - periods.allocated_amount_to_date
        - periods.credited_amount_to_date as balance_amount
    from periods
    inner join invoice_documents
        on periods.invoice_id = invoice_documents.invoice_id

),

final as (

    select
        balances.invoice_id,
        invoices.debtor_id,
        {{ finance_segment('customers.segment') }} as segment,
        invoices.currency,
        invoices.issue_date,
        invoices.due_date,
        cast(balances.valid_from as date) as valid_from,
        cast(balances.valid_to as date) as valid_to,
        cast(
            case when balances.balance_amount > 0 then balances.balance_amount else 0 end
            as decimal(18, 2)
        ) as open_amount,
        cast(
            case when balances.balance_amount < 0 then 0 - balances.balance_amount else 0 end
            as decimal(18, 2)
        ) as unapplied_credit_amount,
        invoices.invoice_number,
        customers.debtor_name,
        cast(balances.invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(balances.allocated_amount_to_date as decimal(18, 2)) as allocated_amount_to_date,
        cast(balances.credited_amount_to_date as decimal(18, 2)) as credited_amount_to_date,
        case when balances.valid_to is null then true else false end as is_latest_period,
        {{ ar_inputs_loaded_at() }} as loaded_at
    from balances
    inner join invoices
        on balances.invoice_id = invoices.invoice_id
    left join customers
        on invoices.debtor_id = customers.debtor_id

)

{%- if is_incremental() %},

-- Held rows of a restated invoice that no longer has any period: withdrawn.
withdrawn as (

    select {{ star_replace(
        'held_rows', this, {'loaded_at': 'cast(null as ' ~ dbt.type_timestamp() ~ ')'}
    ) }}
    from {{ this }} as held_rows
    where
        held_rows.invoice_id in (select restated_invoices.invoice_id from restated_invoices)
        and held_rows.invoice_id not in (select final.invoice_id from final)

)

select * from final
union all
select * from withdrawn
{%- else %}

select * from final
{%- endif %}
