-- Agents owning at least one open case, for the work queue's owner filter.
select distinct owner_agent_id as agent_id from marts.dim_cases
where is_open and owner_agent_id is not null
order by agent_id
