-- Snapshot dates of the ledger ageing, newest first.
select distinct ageing.snapshot_date as snapshot_date
from marts.fct_ar_ageing as ageing
order by snapshot_date desc
