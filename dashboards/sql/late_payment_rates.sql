-- The interest rate of each half-year under the creditor's pack
-- (marts.dim_late_payment_rates), newest first: what the claims were computed with.
select
    period_start,
    period_end,
    fixing_date,
    pack,
    reference_rate,
    reference_rate_since,
    reference_rate_pct,
    margin_points,
    interest_rate_pct
from marts.dim_late_payment_rates
order by period_start desc
