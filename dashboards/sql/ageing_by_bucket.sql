-- Open items and open amount (reporting currency) per ageing bucket, in bucket order.
-- Every bucket appears, with zero when it holds no item; an unexpected label sorts last.
-- share_of_open is null when nothing is open (undefined, not zero).
-- Parameters: snapshot_date, segment, segment ('all' is every segment).
with buckets as (
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

ageing as (
    select
        ageing_bucket,
        open_amount_rc
    from marts.fct_ar_ageing
    where snapshot_date = ? and (? = 'all' or segment = ?)
),

bucket_totals as (
    select
        ageing_bucket,
        count(*) as open_items,
        -- null when an item of the bucket has no FX rate: never a partial sum
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end
            as open_amount_rc,
        count(*) = count(open_amount_rc) as has_every_rate
    from ageing
    group by ageing_bucket
),

final as (
    select
        coalesce(buckets.ageing_bucket, bucket_totals.ageing_bucket) as ageing_bucket,
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
        coalesce(buckets.bucket_order, 99) as bucket_order
    from buckets
    full outer join bucket_totals
        on buckets.ageing_bucket = bucket_totals.ageing_bucket
)

select
    ageing_bucket,
    open_items,
    open_amount_rc,
    share_of_open
from final
order by bucket_order, ageing_bucket
