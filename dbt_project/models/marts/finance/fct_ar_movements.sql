{#- How the open ledger moved between consecutive ageing snapshots (the ageing waterfall): one
    row per invoice and period (previous snapshot, snapshot] where the invoice was open at
    either end, moved in the period or held unapplied credit. In the reporting currency:

        closing = opening + new invoice − credit notes − cash applied
                  + change in unapplied credit + FX revaluation

    opening / closing = open_amount_rc of fct_ar_ageing at the two snapshots (0 when absent),
    so the movements of a range of periods sum exactly from one ageing total to the other.
    Each document counts in the period of its movement date (invoice_movement_date: never
    before its invoice's issue date, as in fct_ar_ageing): invoices and credit notes at the
    rate of their issue date (int_finance_credit_sales), allocations at the rate of their
    payment date, rounded to the cent per document. The change in unapplied credit
    (fct_unapplied_credit) is the part of a payment or credit note beyond what was open; FX
    revaluation is what remains: the rate differences between document dates and snapshot
    dates, and cent rounding (0 for invoices in the reporting currency). -#}
with

ageing as (

    select * from {{ ref('fct_ar_ageing') }}

),

unapplied_credit as (

    select * from {{ ref('fct_unapplied_credit') }}

),

credit_sales as (

    select * from {{ ref('int_finance_credit_sales') }}

),

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

payment_allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

snapshot_dates as (

    select * from {{ ref('int_ageing_snapshot_dates') }}

),

periods as (

    select
        snapshot_date,
        lag(snapshot_date) over (order by snapshot_date) as previous_snapshot_date
    from snapshot_dates

),

open_invoices as (

    select
        invoice_id,
        issue_date,
        currency
    from invoices
    where document_type = 'invoice'

),

payment_dates as (

    select distinct payment_date from payment_allocations

),

payment_date_rates as (

    {{ fx_rates_on_dates('payment_dates', 'payment_date', 'fx_rates') }}

),

document_movements as (

    select
        credit_sales.document_id as invoice_id,
        credit_sales.issue_date as movement_date,
        credit_sales.signed_amount_rc as new_invoice_amount_rc,
        cast(0 as decimal(18, 2)) as credit_note_amount_rc,
        cast(0 as decimal(18, 2)) as cash_applied_amount_rc
    from credit_sales
    where credit_sales.document_type = 'invoice'

    union all

    select
        credit_sales.reference_invoice_id as invoice_id,
        {{ invoice_movement_date('credit_sales.issue_date', 'open_invoices.issue_date') }}
            as movement_date,
        cast(0 as decimal(18, 2)) as new_invoice_amount_rc,
        0 - credit_sales.signed_amount_rc as credit_note_amount_rc,
        cast(0 as decimal(18, 2)) as cash_applied_amount_rc
    from credit_sales
    inner join open_invoices
        on credit_sales.reference_invoice_id = open_invoices.invoice_id
    where credit_sales.document_type = 'credit_note'

    union all

    select
        payment_allocations.invoice_id,
        {{ invoice_movement_date('payment_allocations.payment_date', 'open_invoices.issue_date') }}
            as movement_date,
        cast(0 as decimal(18, 2)) as new_invoice_amount_rc,
        cast(0 as decimal(18, 2)) as credit_note_amount_rc,
        cast(
            round(payment_allocations.allocated_amount * payment_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as cash_applied_amount_rc
    from payment_allocations
    inner join open_invoices
        on payment_allocations.invoice_id = open_invoices.invoice_id
    left join payment_date_rates
        on
            payment_allocations.payment_date = payment_date_rates.payment_date
            and open_invoices.currency = payment_date_rates.currency

),

period_movements as (

    select
        periods.snapshot_date,
        document_movements.invoice_id,
        sum(document_movements.new_invoice_amount_rc) as new_invoice_amount_rc,
        sum(document_movements.credit_note_amount_rc) as credit_note_amount_rc,
        sum(document_movements.cash_applied_amount_rc) as cash_applied_amount_rc
    from document_movements
    inner join periods
        on
            document_movements.movement_date <= periods.snapshot_date
            and (
                periods.previous_snapshot_date is null
                or document_movements.movement_date > periods.previous_snapshot_date
            )
    group by periods.snapshot_date, document_movements.invoice_id

),

balances as (

    select
        snapshot_date,
        invoice_id,
        ageing_bucket,
        open_amount_rc,
        cast(0 as decimal(18, 2)) as unapplied_credit_amount_rc
    from ageing

    union all

    select
        snapshot_date,
        invoice_id,
        cast(null as {{ dbt.type_string() }}) as ageing_bucket,
        cast(0 as decimal(18, 2)) as open_amount_rc,
        unapplied_credit_amount_rc
    from unapplied_credit

),

closing_balances as (

    select
        periods.snapshot_date,
        balances.invoice_id,
        balances.ageing_bucket,
        balances.open_amount_rc,
        balances.unapplied_credit_amount_rc
    from balances
    inner join periods
        on balances.snapshot_date = periods.snapshot_date

),

opening_balances as (

    select
        periods.snapshot_date,
        balances.invoice_id,
        balances.ageing_bucket,
        balances.open_amount_rc,
        balances.unapplied_credit_amount_rc
    from balances
    inner join periods
        on balances.snapshot_date = periods.previous_snapshot_date

),

period_invoices as (

    select
        snapshot_date,
        invoice_id
    from period_movements
    union
    select
        snapshot_date,
        invoice_id
    from closing_balances
    union
    select
        snapshot_date,
        invoice_id
    from opening_balances

),

joined as (

    select
        period_invoices.snapshot_date,
        periods.previous_snapshot_date,
        period_invoices.invoice_id,
        opening_balances.ageing_bucket as opening_ageing_bucket,
        closing_balances.ageing_bucket as closing_ageing_bucket,
        coalesce(opening_balances.open_amount_rc, 0) as opening_amount_rc,
        coalesce(period_movements.new_invoice_amount_rc, 0) as new_invoice_amount_rc,
        coalesce(period_movements.credit_note_amount_rc, 0) as credit_note_amount_rc,
        coalesce(period_movements.cash_applied_amount_rc, 0) as cash_applied_amount_rc,
        coalesce(closing_balances.unapplied_credit_amount_rc, 0)
        - coalesce(opening_balances.unapplied_credit_amount_rc, 0)
            as unapplied_credit_change_amount_rc,
        coalesce(closing_balances.open_amount_rc, 0) as closing_amount_rc
    from period_invoices
    inner join periods
        on period_invoices.snapshot_date = periods.snapshot_date
    left join period_movements
        on
            period_invoices.snapshot_date = period_movements.snapshot_date
            and period_invoices.invoice_id = period_movements.invoice_id
    left join opening_balances
        on
            period_invoices.snapshot_date = opening_balances.snapshot_date
            and period_invoices.invoice_id = opening_balances.invoice_id
    left join closing_balances
        on
            period_invoices.snapshot_date = closing_balances.snapshot_date
            and period_invoices.invoice_id = closing_balances.invoice_id

),

final as (

    select
        joined.snapshot_date,
        joined.previous_snapshot_date,
        joined.invoice_id,
        invoices.invoice_number,
        invoices.debtor_id,
        customers.debtor_name,
        {{ finance_segment('customers.segment') }} as segment,
        invoices.currency,
        invoices.issue_date,
        invoices.due_date,
        joined.opening_ageing_bucket,
        joined.closing_ageing_bucket,
        cast(joined.opening_amount_rc as decimal(18, 2)) as opening_amount_rc,
        cast(joined.new_invoice_amount_rc as decimal(18, 2)) as new_invoice_amount_rc,
        cast(joined.credit_note_amount_rc as decimal(18, 2)) as credit_note_amount_rc,
        cast(joined.cash_applied_amount_rc as decimal(18, 2)) as cash_applied_amount_rc,
        cast(joined.unapplied_credit_change_amount_rc as decimal(18, 2))
            as unapplied_credit_change_amount_rc,
        cast(
            joined.closing_amount_rc
            - joined.opening_amount_rc
            - joined.new_invoice_amount_rc
            + joined.credit_note_amount_rc
            + joined.cash_applied_amount_rc
            - joined.unapplied_credit_change_amount_rc
            as decimal(18, 2)
        ) as fx_revaluation_amount_rc,
        cast(joined.closing_amount_rc as decimal(18, 2)) as closing_amount_rc,
        {{ reporting_currency() }} as reporting_currency
    from joined
    inner join invoices
        on joined.invoice_id = invoices.invoice_id
    left join customers
        on invoices.debtor_id = customers.debtor_id

)

select * from final
