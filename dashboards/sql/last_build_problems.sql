-- The latest build's failed blocking checks and the checks it never ran (a step before them
-- failed), from quality.check_results: the banner every page shows over stale figures.
with latest as (
    select run_id
    from quality.check_results
    order by evaluated_at desc
    limit 1
)

select
    count(*) filter (where status = 'fail') as checks_failed,
    count(*) filter (where status = 'skipped') as checks_not_run
from quality.check_results
where check_results.run_id = (select latest.run_id from latest)
