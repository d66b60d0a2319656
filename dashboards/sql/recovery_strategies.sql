-- Collection strategies of the placed cases, for the filter.
select distinct strategy
from marts.fct_recovery_cases
where strategy is not null
order by strategy
