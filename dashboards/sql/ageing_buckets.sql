-- The ageing buckets in order (marts.dim_ageing_buckets): labels and the days past due each
-- holds (both ends included; null: open-ended).
select
    ageing_bucket,
    bucket_order,
    min_days_past_due,
    max_days_past_due
from marts.dim_ageing_buckets
order by bucket_order
