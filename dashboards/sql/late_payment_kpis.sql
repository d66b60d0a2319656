-- The headline of the late-payment claims (marts.fct_late_payment_interest) over the invoices
-- of one status ('all', 'open': still overdue on the as-of date, 'settled': paid late): how
-- many invoices and debtors, the interest, compensation and claimable amounts in the
-- reporting currency (null when one invoice's figure is unknown: no FX rate or no reference
-- rate, never a partial sum), and the pack applied. Parameters: status.
select
    count(*) as invoices,
    count(distinct debtor_id) as debtors,
    case
        when count(*) = count(interest_amount_rc) then coalesce(sum(interest_amount_rc), 0)
    end as interest_amount_rc,
    case
        when count(*) = count(compensation_amount_rc)
            then coalesce(sum(compensation_amount_rc), 0)
    end as compensation_amount_rc,
    case
        when count(*) = count(claimable_amount_rc) then coalesce(sum(claimable_amount_rc), 0)
    end as claimable_amount_rc,
    max(reporting_currency) as reporting_currency
from marts.fct_late_payment_interest
where ? in ('all', claim_status)
