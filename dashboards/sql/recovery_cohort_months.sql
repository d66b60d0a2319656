-- Placement months (cohorts) with at least one placed case, oldest first.
select distinct placement_month
from marts.fct_recovery_cases
order by placement_month
