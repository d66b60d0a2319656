-- Build runs, newest first: when, files and rows loaded (raw._loads), check results
-- (quality.check_results). A run that loaded nothing new still shows its checks.
-- Parameters: number of runs.
with loads as (
    select
        _batch_id as run_id,
        min(_loaded_at) as loaded_at,
        count(*) filter (where status <> 'already loaded') as files_loaded,
        count(*) filter (where status = 'rejected') as files_rejected,
        sum(rows_read) as rows_read,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined
    from raw._loads
    group by _batch_id
),

checks as (
    select
        run_id,
        max(evaluated_at) as checked_at,
        count(*) filter (where status = 'pass') as checks_passed,
        count(*) filter (where status = 'warn') as checks_warned,
        count(*) filter (where status = 'fail') as checks_failed
    from quality.check_results
    group by run_id
)

select
    coalesce(checks.run_id, loads.run_id) as run_id,
    coalesce(loads.loaded_at, checks.checked_at) as started_at,
    coalesce(loads.files_loaded, 0) as files_loaded,
    coalesce(loads.files_rejected, 0) as files_rejected,
    coalesce(loads.rows_read, 0) as rows_read,
    coalesce(loads.rows_loaded, 0) as rows_loaded,
    coalesce(loads.rows_quarantined, 0) as rows_quarantined,
    coalesce(checks.checks_passed, 0) as checks_passed,
    coalesce(checks.checks_warned, 0) as checks_warned,
    coalesce(checks.checks_failed, 0) as checks_failed
from checks
full outer join loads on checks.run_id = loads.run_id
order by started_at desc
limit ?
