-- The ageing buckets in order (marts.dim_ageing_buckets, from config ageing.bucket_edges):
-- the labels every ageing page lists, charts and accepts as a filter.
select ageing_bucket
from marts.dim_ageing_buckets
order by bucket_order
