-- Every source record of one case, in time order, with its file and row. The case_id column
-- is what an agent's scope is checked on (`dashboards.access.restrict`): every record of their
-- own case, system events and other agents' contacts included.
-- Parameters: case_id.
select
    case_id,
    occurred_at,
    record_kind,
    activity,
    direction,
    outcome,
    agent_id,
    detail,
    record_id,
    source_file,
    source_row
from marts.fct_case_timeline
where case_id = ?
order by occurred_at, record_kind, record_id
