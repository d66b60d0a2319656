-- Case strategies present in the stage stays, for the stage flow's filter.
select distinct strategy
from marts.fct_case_stage_durations
where strategy is not null
order by strategy
