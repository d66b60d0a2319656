-- The moves made in a period of months, one segment, one strategy and one team (of the case's
-- current owner): the ended stays of marts.fct_case_stage_durations, each made in the month
-- its stay ended, with the stay's exact duration (duration_seconds, and in days unrounded: a
-- percentile or mean is rounded once, after it is computed). A missing segment, strategy or
-- team reads 'unknown'. The stage flow and the time in stage read it as relation
-- `ended_stays` (a statement's line `-- with: ended_stays`, dashboards/queries/core.py).
-- Parameters: first month, last month (first days), segment, segment, strategy, strategy,
-- team, team ('all' is every one).
select
    case_id,
    stage,
    next_stage,
    duration_seconds,
    duration_seconds / 86400.0 as duration_days
from marts.fct_case_stage_durations
where
    left_at is not null
    and cast(date_trunc('month', left_at) as date) between ? and ?
    and (? = 'all' or coalesce(segment, 'unknown') = ?)
    and (? = 'all' or coalesce(strategy, 'unknown') = ?)
    and (? = 'all' or coalesce(owner_team, 'unknown') = ?)
