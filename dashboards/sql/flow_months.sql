-- Months ('YYYY-MM') in which a case left a stage, oldest first: the stage flow's period choices.
select distinct strftime(left_at, '%Y-%m') as month
from marts.fct_case_stage_durations
where left_at is not null
order by month
