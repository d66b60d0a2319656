-- Months ('YYYY-MM') with agent results, oldest first: the league table's period choices.
select distinct strftime(activity_date, '%Y-%m') as month
from marts.fct_agent_daily
order by month
