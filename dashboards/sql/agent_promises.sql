-- Promises one agent recorded that fell due in a month range (the cases behind the kept rates),
-- latest due first. Parameters: agent, from month, to month ('YYYY-MM', both included).
select
    promise_id,
    case_id,
    made_at,
    promised_date,
    window_end_date,
    outcome,
    promised_amount,
    paid_amount,
    currency,
    promised_amount_rc,
    paid_amount_rc,
    segment,
    strategy
from marts.fct_promises
where agent_id = ? and strftime(due_month, '%Y-%m') between ? and ?
order by promised_date desc, promise_id asc
