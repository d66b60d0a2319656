-- Freshness of each source as evaluated by one run (quality.source_freshness).
-- Parameters: run id.
select
    source_table,
    status,
    newest_record_at,
    age_hours,
    cadence_hours,
    measured_on,
    as_of_date
from quality.source_freshness
where run_id = ?
order by case status when 'stale' then 0 else 1 end, source_table
