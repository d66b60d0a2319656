-- Pending promises behind the expected cash (drill-down), soonest due first, with what was
-- promised and paid so far. Parameters: segment, segment, agent, agent ('all': any).
select
    expected.promise_id,
    expected.case_id,
    expected.debtor_id,
    expected.agent_id,
    expected.segment,
    promises.made_at,
    expected.promised_date,
    expected.days_until_due,
    expected.is_due_within_7_days,
    promises.promised_amount,
    expected.currency,
    promises.promised_amount_rc,
    promises.paid_amount_rc,
    expected.remaining_amount_rc,
    expected.kept_rate_basis,
    expected.kept_rate_used,
    expected.expected_amount_rc,
    expected.reporting_currency
from marts.fct_cash_expected as expected
left join marts.fct_promises as promises
    on expected.promise_id = promises.promise_id
where
    (? = 'all' or expected.segment = ?)
    and (? = 'all' or expected.agent_id = ?)
order by expected.promised_date, expected.promise_id
