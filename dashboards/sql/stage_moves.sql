-- The moves behind one transition of the stage flow (its drill-down), longest stay first: the
-- ended stays of marts.fct_case_stage_durations, with their duration_days.
-- Parameters: from stage, to stage, from month, to month ('YYYY-MM', both included), segment,
-- segment, strategy, strategy, team, team ('all' is every one; team of the current owner).
select
    case_id,
    entered_at,
    left_at,
    duration_days,
    segment,
    strategy,
    owner_agent_id,
    owner_team
from marts.fct_case_stage_durations
where
    stage = ?
    and next_stage = ?
    and left_at is not null
    and strftime(left_at, '%Y-%m') between ? and ?
    and (? = 'all' or segment = ?)
    and (? = 'all' or strategy = ?)
    and (? = 'all' or owner_team = ?)
order by duration_days desc, case_id asc
