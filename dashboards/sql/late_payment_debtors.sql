-- Late-payment claims per debtor (marts.fct_late_payment_interest) over the invoices of one
-- status ('all', 'open', 'settled'), largest claim first (unknown last, then debtor_id); a
-- debtor's amount is null when one of its invoices' is (no FX or reference rate).
-- Parameters: status, limit (null: every row).
select
    debtor_id,
    max(debtor_name) as debtor_name,
    count(*) as invoices,
    count(*) filter (where claim_status = 'open') as open_invoices,
    max(days_late) as max_days_late,
    case when count(*) = count(interest_amount_rc) then sum(interest_amount_rc) end
        as interest_amount_rc,
    case when count(*) = count(compensation_amount_rc) then sum(compensation_amount_rc) end
        as compensation_amount_rc,
    case when count(*) = count(claimable_amount_rc) then sum(claimable_amount_rc) end
        as claimable_amount_rc,
    max(reporting_currency) as reporting_currency
from marts.fct_late_payment_interest
where ? in ('all', claim_status)
group by debtor_id
order by claimable_amount_rc desc nulls last, debtor_id asc
limit ?
