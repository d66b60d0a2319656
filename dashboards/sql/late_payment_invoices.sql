-- One debtor's late-payment claims (marts.fct_late_payment_interest), invoice by invoice,
-- over one status ('all', 'open', 'settled'), most days late first.
-- Parameters: debtor_id, status.
select
    invoice_id,
    invoice_number,
    currency,
    invoice_amount,
    due_date,
    settled_on,
    open_amount,
    days_late,
    interest_amount,
    compensation_amount,
    compensation_currency,
    interest_amount_rc,
    compensation_amount_rc,
    claimable_amount_rc,
    reporting_currency,
    pack,
    legal_reference
from marts.fct_late_payment_interest
where
    debtor_id = ?
    and ? in ('all', claim_status)
order by days_late desc, invoice_id asc
