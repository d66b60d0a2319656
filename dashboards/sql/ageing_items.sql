-- Open items of one ageing bucket (drill-down), most days past due first.
-- Parameters: snapshot_date, segment, segment ('all' is every segment), ageing_bucket,
-- ageing_bucket ('all' is every bucket: the open AR at the snapshot), row limit (null: every
-- row).
select
    invoice_id,
    invoice_number,
    debtor_id,
    debtor_name,
    segment,
    due_date,
    days_past_due,
    ageing_bucket,
    open_amount,
    currency,
    open_amount_rc,
    reporting_currency
from marts.fct_ar_ageing
where
    snapshot_date = ?
    and (? = 'all' or segment = ?)
    and (? = 'all' or ageing_bucket = ?)
order by days_past_due desc, open_amount_rc desc, invoice_id asc
limit ?
