-- Months ('YYYY-MM') with outbound contacts (marts.fct_channel_effectiveness), oldest first:
-- the Channels page's period choices.
select distinct strftime(period_month, '%Y-%m') as month
from marts.fct_channel_effectiveness
order by month
