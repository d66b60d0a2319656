-- Agents owning at least one stuck case, for the filter.
select distinct agent_id from marts.fct_stuck_cases
where agent_id is not null
order by agent_id
