-- DSO family and CEI per month for one segment and period length, oldest month first.
-- Parameters: segment ('all' is the total over segments), period_months (1 or 3).
select
    month,
    period_end_date,
    is_partial_period,
    credit_sales_rc,
    beginning_ar_rc,
    ending_ar_rc,
    current_ar_rc,
    standard_dso_days,
    countback_dso_days,
    best_possible_dso_days,
    add_days,
    cei_pct,
    cei_form,
    dso_null_reason
from marts.fct_dso_periods
where segment = ? and period_months = ?
order by month
