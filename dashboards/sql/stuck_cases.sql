-- Open cases that break a stuck rule, longest stuck first.
-- Parameters: rule ('all' is every rule), rule, agent ('all' is every agent), agent.
select
    case_id,
    rule,
    stuck_since,
    days_elapsed,
    threshold_days,
    agent_id,
    team,
    stage,
    strategy,
    segment,
    last_contact_at
from marts.fct_stuck_cases
where (? = 'all' or rule = ?) and (? = 'all' or agent_id = ?)
order by stuck_since, case_id, rule
