-- Cash expected from pending promises per agent and segment, in the next 7 and 30 days: the
-- remaining amount (raw) and weighted by the kept rate of the cell (one basis and rate per
-- agent and segment, see marts.fct_cash_expected). A promise without a measurable rate has
-- a null weighted amount: it is counted in unweighted_promises, never as zero.
-- Parameters: segment, segment, agent, agent ('all': any).
select
    agent_id,
    segment,
    kept_rate_basis,
    kept_rate_used,
    count(*) as promises,
    coalesce(sum(case when is_due_within_7_days then remaining_amount_rc end), 0)
        as remaining_7d_amount_rc,
    coalesce(sum(case when is_due_within_7_days then expected_amount_rc end), 0)
        as expected_7d_amount_rc,
    sum(remaining_amount_rc) as remaining_30d_amount_rc,
    coalesce(sum(expected_amount_rc), 0) as expected_30d_amount_rc,
    count(*) - count(expected_amount_rc) as unweighted_promises,
    min(reporting_currency) as reporting_currency
from marts.fct_cash_expected
where (? = 'all' or segment = ?) and (? = 'all' or agent_id = ?)
group by agent_id, segment, kept_rate_basis, kept_rate_used
order by expected_30d_amount_rc desc, agent_id asc, segment asc
