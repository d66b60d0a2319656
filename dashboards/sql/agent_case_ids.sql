-- Cases an agent owns now (`marts.dim_cases`): an agent's scope on every page.
-- Parameters: agent id.
select case_id from marts.dim_cases
where owner_agent_id = ?
order by case_id
