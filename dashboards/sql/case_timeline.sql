-- Every source record of one case, in time order, with its file and row.
-- Parameters: case_id.
select
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
