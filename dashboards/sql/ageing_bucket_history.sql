-- Open amount and items per snapshot and ageing bucket (the bucket mix over time), oldest
-- snapshot first. Parameters: segment, segment ('all' is every segment).
select
    snapshot_date,
    ageing_bucket,
    count(*) as open_items,
    sum(open_amount_rc) as open_amount_rc,
    min(reporting_currency) as reporting_currency
from marts.fct_ar_ageing
where ? = 'all' or segment = ?
group by snapshot_date, ageing_bucket
order by snapshot_date, ageing_bucket
