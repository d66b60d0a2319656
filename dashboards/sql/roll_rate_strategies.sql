-- The strategies of the roll-rate rows (marts.fct_ar_roll_rates; `not placed` included).
select distinct roll_rates.strategy
from marts.fct_ar_roll_rates as roll_rates
order by roll_rates.strategy
