-- The month ends a roll-rate period ends on (marts.fct_ar_roll_rates), newest first.
select distinct roll_rates.period_end_date
from marts.fct_ar_roll_rates as roll_rates
order by roll_rates.period_end_date desc
