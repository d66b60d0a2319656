-- Rows in quarantine per source table and reason, over every load.
select
    source_table,
    reason,
    count(*) as rows_quarantined,
    count(distinct source_file) as files,
    max(_loaded_at) as last_loaded_at
from raw.quarantine
group by source_table, reason
order by source_table asc, rows_quarantined desc, reason asc
