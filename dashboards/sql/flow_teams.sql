-- Teams of the cases' current owners in the stage stays, for the stage flow's filter.
select distinct owner_team as team
from marts.fct_case_stage_durations
where owner_team is not null
order by team
