-- Directly-follows graph of the stages for the moves made in a period of months, one segment,
-- one strategy and one team (of the case's current owner): the rows of
-- marts.fct_stage_flow_periods for that period and filter cell, where every figure is computed
-- (percentiles do not add up, so nothing is aggregated here). Reopenings (closed -> stage)
-- are not stays: left out. to_stage 'all' (every move out of a stage) is the time in stage.
-- Parameters: first month, last month (first days), segment, strategy, team ('all' is every
-- one).
select
    from_stage,
    to_stage,
    transition_count,
    case_count,
    median_duration_days,
    p90_duration_days,
    mean_duration_days
from marts.fct_stage_flow_periods
where
    first_month = ?
    and last_month = ?
    and segment = ?
    and strategy = ?
    and owner_team = ?
    and to_stage <> 'all'
order by median_duration_days desc, from_stage asc, to_stage asc
