{#- Roll and cure rates (issue "What will happen and what works"): how the open AR of each
    ageing bucket at one month end stood at the next, per segment and collection strategy.
    From fct_ar_movements' month-end to month-end periods (the partial as-of period is left
    out; a month end that is also the as-of date counts); one row per period, segment,
    strategy, from_bucket and to_state, over the invoices open at the period's start.
      from_bucket: fct_ar_ageing's bucket at the start (dim_ageing_buckets); to_state: its
        bucket at the end when still open, else `credited` (closed by credit notes alone) or
        `paid` (closed otherwise: cash applied in the month, mostly); `written_off` when still
        open in the ledger at the end but written off in the period (fct_ar_written_off: its
        case closed `written_off` after the start, on or before the end)
      movement: rolled (to an older bucket), stayed, cured (to a younger bucket), settled or
        written_off
    Written-off AR leaves the AR followed: an invoice written off on or before a period's start
    is not in that period (fct_ar_ageing, the ledger, still holds it: the opening AR per
    segment and from_bucket is the ageing's less the invoices written off by the start,
    tests/finance/assert_roll_rates_tie_to_ageing.sql), and a written-off invoice's
    closing_amount_rc is 0. A payment after its write-off is not a cure here.
      strategy: of the debtor's collection case open at the period's start (the latest opened
        when several), `not placed` without one
      invoices, opening_amount_rc (their open AR at the start), closing_amount_rc (at the end;
        0 once settled)
      amount_rate: opening_amount_rc ÷ the from_bucket's opening AR in the same period,
        segment and strategy (4 decimals; the roll rate by amount, the rows of a from_bucket
        add up to 1); count_rate the same by invoice count. A sum is null when an amount has
        no reporting-currency value (no FX rate). -#}
with

written_off as (

    select * from {{ ref('fct_ar_written_off') }}

),

movements as (

    select
        movements.*,
        written_off.written_off_date
    from {{ ref('fct_ar_movements') }} as movements
    left join written_off on movements.invoice_id = written_off.invoice_id
    where
        movements.previous_snapshot_date is not null
        and movements.opening_ageing_bucket is not null
        and movements.previous_snapshot_date
        = cast({{ dbt.last_day('movements.previous_snapshot_date', 'month') }} as date)
        and movements.snapshot_date
        = cast({{ dbt.last_day('movements.snapshot_date', 'month') }} as date)
        and (
            written_off.written_off_date is null
            or written_off.written_off_date > movements.previous_snapshot_date
        )

),

buckets as (

    select * from {{ ref('dim_ageing_buckets') }}

),

cases as (

    select * from {{ ref('dim_cases') }}

),

period_debtors as (

    select distinct
        debtor_id,
        previous_snapshot_date
    from movements

),

placed as (

    select
        period_debtors.debtor_id,
        period_debtors.previous_snapshot_date,
        cases.strategy,
        row_number() over (
            partition by period_debtors.debtor_id, period_debtors.previous_snapshot_date
            order by cases.opened_at desc, cases.case_id desc
        ) as recency
    from period_debtors
    inner join cases
        on
            period_debtors.debtor_id = cases.debtor_id
            and cast(cases.opened_at as date) <= period_debtors.previous_snapshot_date
            and (
                cases.closed_at is null
                or cast(cases.closed_at as date) > period_debtors.previous_snapshot_date
            )

),

classified as (

    select
        movements.previous_snapshot_date as period_start_date,
        movements.snapshot_date as period_end_date,
        movements.segment,
        coalesce(placed.strategy, 'not placed') as strategy,
        movements.opening_ageing_bucket as from_bucket,
        from_buckets.bucket_order as from_bucket_order,
        case
            when
                movements.closing_ageing_bucket is not null
                and movements.written_off_date <= movements.snapshot_date
                then 'written_off'
            when movements.closing_ageing_bucket is not null
                then movements.closing_ageing_bucket
            when
                coalesce(movements.cash_applied_amount_rc, 0) = 0
                and coalesce(movements.credit_note_amount_rc, 0) <> 0
                then 'credited'
            else 'paid'
        end as to_state,
        case
            when movements.closing_ageing_bucket is null then 'settled'
            when movements.written_off_date <= movements.snapshot_date then 'written_off'
            when to_buckets.bucket_order > from_buckets.bucket_order then 'rolled'
            when to_buckets.bucket_order = from_buckets.bucket_order then 'stayed'
            else 'cured'
        end as movement,
        movements.opening_amount_rc,
        case
            when movements.written_off_date <= movements.snapshot_date then 0
            else movements.closing_amount_rc
        end as closing_amount_rc
    from movements
    inner join buckets as from_buckets
        on movements.opening_ageing_bucket = from_buckets.ageing_bucket
    left join buckets as to_buckets
        on movements.closing_ageing_bucket = to_buckets.ageing_bucket
    left join placed
        on
            movements.debtor_id = placed.debtor_id
            and movements.previous_snapshot_date = placed.previous_snapshot_date
            and placed.recency = 1

),

grouped as (

    select
        period_start_date,
        period_end_date,
        segment,
        strategy,
        from_bucket,
        from_bucket_order,
        to_state,
        movement,
        count(*) as invoices,
        case
            when count(*) = count(opening_amount_rc) then sum(opening_amount_rc)
        end as opening_amount_rc,
        case
            when count(*) = count(closing_amount_rc) then sum(closing_amount_rc)
        end as closing_amount_rc
    from classified
    group by
        period_start_date,
        period_end_date,
        segment,
        strategy,
        from_bucket,
        from_bucket_order,
        to_state,
        movement

),

from_totals as (

    select
        *,
        case
            when
                count(*) over (partition by period_end_date, segment, strategy, from_bucket)
                = count(opening_amount_rc) over (
                    partition by period_end_date, segment, strategy, from_bucket
                )
                then sum(opening_amount_rc) over (
                    partition by period_end_date, segment, strategy, from_bucket
                )
        end as from_opening_amount_rc,
        sum(invoices) over (
            partition by period_end_date, segment, strategy, from_bucket
        ) as from_invoices
    from grouped

),

final as (

    select
        period_start_date,
        period_end_date,
        segment,
        strategy,
        from_bucket,
        from_bucket_order,
        to_state,
        movement,
        cast(invoices as {{ dbt.type_int() }}) as invoices,
        cast(opening_amount_rc as decimal(18, 2)) as opening_amount_rc,
        cast(closing_amount_rc as decimal(18, 2)) as closing_amount_rc,
        cast(
            {{ round_double(finance_safe_divide('opening_amount_rc', 'from_opening_amount_rc'), 4) }}
            as {{ finance_type_double() }}
        ) as amount_rate,
        cast(
            {{ round_double(finance_safe_divide('invoices', 'from_invoices'), 4) }}
            as {{ finance_type_double() }}
        ) as count_rate,
        cast({{ reporting_currency() }} as {{ dbt.type_string() }}) as reporting_currency
    from from_totals

)

select * from final
