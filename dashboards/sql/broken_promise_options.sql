-- Agents, teams and due months ('YYYY-MM') of the broken and partially kept promises, for the
-- broken-promises page's filters.
select distinct
    agent_id,
    team,
    segment,
    strftime(due_month, '%Y-%m') as due_month
from marts.fct_promises
where outcome in ('broken', 'partially_kept')
order by agent_id, team, segment, due_month
