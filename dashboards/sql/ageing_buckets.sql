-- The ageing buckets in order (marts.dim_ageing_buckets, from config ageing.bucket_edges):
-- labels and the days past due each holds (both ends included; null: open-ended); the labels
-- every ageing page lists, charts and accepts as a filter.
select
    ageing_bucket,
    bucket_order,
    min_days_past_due,
    max_days_past_due
from marts.dim_ageing_buckets
order by bucket_order
