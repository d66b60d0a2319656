-- The ageing by due date at any date, not only at the ageing snapshots: open items and open
-- amount (reporting currency) per bucket, in bucket order, with the columns of
-- ageing_by_bucket.sql. Open items are the balance periods containing the date with an open
-- amount above zero (marts.fct_ar_balance_periods, valid_to excluded, null = open-ended),
-- converted at the rate in force on the date (marts.dim_fx_rate_periods), rounded to the cent
-- per invoice; buckets of days past due as the marts' macro finance_ageing_bucket. On a
-- snapshot date this equals marts.fct_ar_ageing (tests/dashboards/test_finance_queries.py).
-- Every bucket appears, with zero when it holds no item; share_of_open is null when nothing
-- is open. An item without a rate on the date counts, and makes its bucket's amount and every
-- share null, never a partial sum (as ageing_by_bucket.sql).
-- Parameters: on_date, segment, segment ('all' is every segment).
with picked as (
    select cast(? as date) as on_date
),

buckets as (
    select
        bucket_label as ageing_bucket,
        bucket_order as bucket_order
    from (
        values
        ('current', 1),
        ('1-30', 2),
        ('31-60', 3),
        ('61-90', 4),
        ('91-120', 5),
        ('120+', 6)
    ) as bucket_list (bucket_label, bucket_order)
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

aged as (
    select
        case
            when open_items.days_past_due <= 0 then 'current'
            when open_items.days_past_due <= 30 then '1-30'
            when open_items.days_past_due <= 60 then '31-60'
            when open_items.days_past_due <= 90 then '61-90'
            when open_items.days_past_due <= 120 then '91-120'
            else '120+'
        end as ageing_bucket,
        cast(round(open_items.open_amount * rates.rate_to_reporting, 2) as decimal(18, 2))
            as open_amount_rc
    from open_items
    left join rates
        on open_items.currency = rates.currency
),

bucket_totals as (
    select
        ageing_bucket,
        count(*) as open_items,
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end
            as open_amount_rc,
        count(*) = count(open_amount_rc) as has_every_rate
    from aged
    group by ageing_bucket
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
