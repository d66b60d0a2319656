-- The cases of one placement cohort (drill-down), narrowed to a segment and a strategy, with
-- their recovery to date (the row of the as_of month), least recovered first.
-- Parameters: cohort, segment, segment, strategy, strategy ('all': any).
select
    case_id,
    debtor_id,
    debtor_name,
    segment,
    strategy,
    agent_id,
    placement_month,
    month_on_book,
    placed_amount,
    currency,
    placed_amount_rc,
    recovered_to_date_rc,
    recovery_rate,
    reporting_currency
from marts.fct_recovery_cases
where
    is_latest_month_on_book
    and placement_month = ?
    and (? = 'all' or segment = ?)
    and (? = 'all' or strategy = ?)
order by recovery_rate asc, placed_amount_rc desc, case_id asc
