-- Teams present in the agents' daily results, for the league table's filter.
select distinct team from marts.fct_agent_daily
where team is not null
order by team
