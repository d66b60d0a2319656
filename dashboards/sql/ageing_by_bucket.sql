-- The ageing by due date at any date (an ageing snapshot or a date picker's): open items and
-- open amount (reporting currency) per bucket, in bucket order. Open items are the balance
-- periods containing the date with an open amount above zero (marts.fct_ar_balance_periods,
-- valid_to excluded, null = open-ended), converted at the rate in force on the date
-- (marts.dim_fx_rate_periods), rounded to the cent per invoice, totalled per day past due,
-- then per bucket as the marts bucket days past due (marts.dim_ageing_buckets: no boundary
-- is restated here). On a snapshot date this equals marts.fct_ar_ageing
-- (tests/dashboards/test_finance_queries.py).
-- Every bucket appears, with zero when it holds no item; share_of_open is null when nothing
-- is open. An item without a rate on the date counts, and makes its bucket's amount and every
-- share null, never a partial sum.
-- Parameters: on_date, segment, segment ('all' is every segment).
with picked as (
    select cast(? as date) as on_date
),

buckets as (
    select
        ageing_bucket,
        bucket_order,
        min_days_past_due,
        max_days_past_due
    from marts.dim_ageing_buckets
),

rates as (
    select
        fx.currency,
        fx.rate_to_reporting
    from marts.dim_fx_rate_periods as fx
    cross join picked
    where
        fx.valid_from <= picked.on_date
        and (fx.valid_to is null or fx.valid_to > picked.on_date)
),

open_items as (
    select
        periods.currency,
        periods.open_amount,
        date_diff('day', periods.due_date, picked.on_date) as days_past_due
    from marts.fct_ar_balance_periods as periods
    cross join picked
    where
        periods.valid_from <= picked.on_date
        and (periods.valid_to is null or periods.valid_to > picked.on_date)
        and periods.open_amount > 0
        and (? = 'all' or periods.segment = ?)
),

converted as (
    select
        open_items.days_past_due,
        cast(round(open_items.open_amount * rates.rate_to_reporting, 2) as decimal(18, 2))
            as open_amount_rc
    from open_items
    left join rates
        on open_items.currency = rates.currency
),

days_totals as (
    select
        days_past_due,
        count(*) as open_items,
        count(open_amount_rc) as items_with_rate,
        sum(open_amount_rc) as open_amount_rc
    from converted
    group by days_past_due
),

bucket_totals as (
    select
        buckets.ageing_bucket,
        cast(sum(days_totals.open_items) as bigint) as open_items,
        case
            when sum(days_totals.open_items) = sum(days_totals.items_with_rate)
                then sum(days_totals.open_amount_rc)
        end as open_amount_rc,
        sum(days_totals.open_items) = sum(days_totals.items_with_rate) as has_every_rate
    from days_totals
    inner join buckets
        on
            (
                buckets.min_days_past_due is null
                or days_totals.days_past_due >= buckets.min_days_past_due
            )
            and (
                buckets.max_days_past_due is null
                or days_totals.days_past_due <= buckets.max_days_past_due
            )
    group by buckets.ageing_bucket
),

final as (
    select
        buckets.ageing_bucket,
        coalesce(bucket_totals.open_items, 0) as open_items,
        case
            when coalesce(bucket_totals.has_every_rate, true)
                then coalesce(bucket_totals.open_amount_rc, 0)
        end as open_amount_rc,
        case
            when bool_and(coalesce(bucket_totals.has_every_rate, true)) over ()
                then
                    coalesce(bucket_totals.open_amount_rc, 0)
                    / nullif(sum(bucket_totals.open_amount_rc) over (), 0)
        end as share_of_open,
        buckets.bucket_order
    from buckets
    left join bucket_totals
        on buckets.ageing_bucket = bucket_totals.ageing_bucket
)

select
    ageing_bucket,
    open_items,
    open_amount_rc,
    share_of_open
from final
order by bucket_order
