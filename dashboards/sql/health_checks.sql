-- The check results of one run, failures first. Parameters: run id, status ('all' for every
-- status), status.
select
    check_name,
    asset,
    status,
    blocking,
    failing_count,
    failing_keys,
    description,
    evaluated_at
from quality.check_results
where run_id = ? and (? = 'all' or status = ?)
order by
    case status when 'fail' then 0 when 'warn' then 1 else 2 end,
    asset,
    check_name
