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
    dates, and cent rounding (0 for invoices in the reporting currency).

    Incremental (delete+insert by snapshot_date and invoice_id). `loaded_at` is the latest
    `_loaded_at` of the staging inputs when a row was written: the mark up to which the model
    has taken new files in. A daily build recomputes, from the full history of its inputs (the
    touched invoices and the FX windows are the macros of ar_restatements.sql, shared with
    fct_ar_balance_periods and the ageing marts):
    - whole periods that are new or start elsewhere than the ones held: the as_of period
      (as_of moves every day; when a month closes, its month end replaces the previous as_of
      snapshot) and, should an earlier invoice arrive, the first held period;
    - every period of each invoice that a file loaded since the mark touches: a new or
      corrected version of the invoice, of a credit note referring to it, of an allocation to
      it or of the bank entry dating one (for a corrected credit note or allocation, every
      invoice any of its raw versions referred to), a change to its customer (debtor name and
      segment are columns here);
    - for an FX rate loaded since the mark (rates of past dates can be corrected, and a missing
      day can arrive late), the rate's window: the dates from its rate_date up to the
      currency's next rate_date, the dates on which it is the rate in force. Periods with a
      snapshot in that window are recomputed for invoices in that currency (their opening or
      closing balance converts at it), and so is every period of an invoice with a document or
      payment of that currency dated in it.
    Held rows of that scope that the recomputation no longer yields (an invoice now issued
    later, a corrected payment closing it earlier, the previous as_of snapshot) are withdrawn:
    the batch carries them with a null `loaded_at`, and the post-hook deletes them
    (macro remove_withdrawn_rows). -#}
-- depends_on: {{ source('raw', 'erp_invoices') }}, {{ source('raw', 'erp_payment_allocations') }}
-- depends_on: {{ ref('stg_erp__payment_allocations') }}, {{ ref('stg_bank__entries') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['snapshot_date', 'invoice_id'],
    on_schema_change='fail',
    post_hook="{{ remove_withdrawn_rows() }}"
) }}
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

-- The latest load time of the inputs: every row written now carries it as loaded_at.
inputs_loaded as (

    select {{ ar_inputs_loaded_at() }} as loaded_at

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

{%- if is_incremental() %}

-- What this build restates (see the header; macros in ar_restatements.sql).
held as (

    select
        snapshot_date,
        previous_snapshot_date,
        invoice_id,
        loaded_at
    from {{ this }}

),

held_periods as (

    select distinct
        snapshot_date,
        previous_snapshot_date
    from held

),

changed_rate_windows as (

    {{ fx_rate_windows_loaded_since_last_build() }}

),

-- Periods to recompute: for every currency (currency null) when new or starting elsewhere
-- than the held one, else for the currency of a rate whose window holds either end.
restated_periods as (

    select
        periods.snapshot_date,
        periods.previous_snapshot_date,
        cast(null as {{ dbt.type_string() }}) as currency
    from periods
    where not exists (
        select 1
        from held_periods
        where
            held_periods.snapshot_date = periods.snapshot_date
            and held_periods.previous_snapshot_date is not distinct from periods.previous_snapshot_date
    )

    union

    select
        periods.snapshot_date,
        periods.previous_snapshot_date,
        changed_rate_windows.currency
    from periods
    inner join changed_rate_windows
        on
            (
                periods.snapshot_date >= changed_rate_windows.valid_from
                and periods.snapshot_date < changed_rate_windows.valid_to
            )
            or (
                periods.previous_snapshot_date >= changed_rate_windows.valid_from
                and periods.previous_snapshot_date < changed_rate_windows.valid_to
            )

),

-- Movements and balances of restated periods are dated on or after this.
restated_from as (

    select min(coalesce(previous_snapshot_date, cast('0001-01-01' as date))) as restated_from_date
    from restated_periods

),

restated_invoices as (

    {{ invoices_touched_since_last_build() }}

    union

    select
        case
            when invoices.document_type = 'credit_note' then invoices.reference_invoice_id
            else invoices.invoice_id
        end as invoice_id
    from invoices
    inner join changed_rate_windows
        on
            invoices.currency = changed_rate_windows.currency
            and invoices.issue_date >= changed_rate_windows.valid_from
            and invoices.issue_date < changed_rate_windows.valid_to

    union

    select payment_allocations.invoice_id
    from payment_allocations
    inner join open_invoices
        on payment_allocations.invoice_id = open_invoices.invoice_id
    inner join changed_rate_windows
        on
            open_invoices.currency = changed_rate_windows.currency
            and payment_allocations.payment_date >= changed_rate_windows.valid_from
            and payment_allocations.payment_date < changed_rate_windows.valid_to

),
{%- endif %}

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

scoped_movements as (

    select * from document_movements
    {%- if is_incremental() %}
    where
        invoice_id in (select invoice_id from restated_invoices)
        or movement_date > (select restated_from_date from restated_from)
    {%- endif %}

),

period_movements as (

    select
        periods.snapshot_date,
        document_movements.invoice_id,
        sum(document_movements.new_invoice_amount_rc) as new_invoice_amount_rc,
        sum(document_movements.credit_note_amount_rc) as credit_note_amount_rc,
        sum(document_movements.cash_applied_amount_rc) as cash_applied_amount_rc
    from scoped_movements as document_movements
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

scoped_balances as (

    select * from balances
    {%- if is_incremental() %}
    where
        invoice_id in (select invoice_id from restated_invoices)
        or snapshot_date >= (select restated_from_date from restated_from)
    {%- endif %}

),

closing_balances as (

    select
        periods.snapshot_date,
        balances.invoice_id,
        balances.ageing_bucket,
        balances.open_amount_rc,
        balances.unapplied_credit_amount_rc
    from scoped_balances as balances
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
    from scoped_balances as balances
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

-- The cells (period, invoice) this build writes: every one on a full build.
cells as (

    select
        period_invoices.snapshot_date,
        period_invoices.invoice_id
    from period_invoices
    {%- if is_incremental() %}
    left join open_invoices
        on period_invoices.invoice_id = open_invoices.invoice_id
    where
        period_invoices.invoice_id in (select invoice_id from restated_invoices)
        or exists (
            select 1
            from restated_periods
            where
                restated_periods.snapshot_date = period_invoices.snapshot_date
                and (
                    restated_periods.currency is null
                    or restated_periods.currency = open_invoices.currency
                )
        )
    {%- endif %}

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
    from cells as period_invoices
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
        {{ reporting_currency() }} as reporting_currency,
        inputs_loaded.loaded_at
    from joined
    inner join invoices
        on joined.invoice_id = invoices.invoice_id
    left join customers
        on invoices.debtor_id = customers.debtor_id
    cross join inputs_loaded

)
{%- if is_incremental() %},

-- Held rows of the restated scope that this build does not write again: withdrawn.
withdrawn as (

    {{ withdrawn_rows(
        'held_rows.invoice_id in (select invoice_id from restated_invoices)
        or held_rows.snapshot_date in (
            select snapshot_date from restated_periods
            where currency is null
        )
        or not exists (
            select 1
            from periods
            where
                periods.snapshot_date = held_rows.snapshot_date
                and periods.previous_snapshot_date
                is not distinct from held_rows.previous_snapshot_date
        )',
        ['snapshot_date', 'invoice_id']
    ) }}

)

select * from final
union all
select * from withdrawn
{%- else %}

select * from final
{%- endif %}
