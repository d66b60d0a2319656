-- The debtors of marts.fct_debtor_exposure with something open now or at the last month end,
-- ranked by one measure, largest first (nulls last, then debtor_id); at most `limit` rows.
-- Parameters: segment, segment ('all': any), ranking (open | days_beyond_terms | change |
-- limit_used), the same three more times, limit (null: every row).
select
    debtor_id,
    debtor_name,
    segment,
    open_items,
    open_amount_rc,
    overdue_amount_rc,
    disputed_amount_rc,
    promised_amount_rc,
    credit_limit_rc,
    limit_used_share,
    is_over_limit,
    days_beyond_terms,
    max_days_past_due,
    open_amount_month_end_rc,
    change_since_month_end_rc,
    currency,
    credit_limit_amount,
    reporting_currency,
    as_of_date
from marts.fct_debtor_exposure
where
    (? = 'all' or segment = ?)
    and (open_items > 0 or open_amount_month_end_rc <> 0)
order by
    case ?
        when 'open' then cast(open_amount_rc as double)
        when 'days_beyond_terms' then cast(days_beyond_terms as double)
        when 'change' then cast(change_since_month_end_rc as double)
        when 'limit_used' then limit_used_share
    end desc nulls last,
    debtor_id asc
limit ?
