-- Agents with at least one promise expected in the next 30 days, for the filter.
select distinct agent_id
from marts.fct_cash_expected
where agent_id is not null
order by agent_id
