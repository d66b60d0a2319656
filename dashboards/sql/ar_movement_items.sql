-- Invoices behind one step of the ageing waterfall between two snapshots: each invoice's
-- opening and closing open amount and its movements over the periods in between, keeping the
-- invoices whose amount in the chosen step is not zero, largest first.
-- Parameters: from snapshot, to snapshot, segment, segment ('all' is every segment),
-- from snapshot, to snapshot, step (a column name of the select below, without `_rc`),
-- row limit (null: every row).
with movements as (
    select *
    from marts.fct_ar_movements
    where
        snapshot_date > ?
        and snapshot_date <= ?
        and (? = 'all' or segment = ?)
),

per_invoice as (
    select
        invoice_id,
        invoice_number,
        debtor_id,
        debtor_name,
        segment,
        currency,
        issue_date,
        due_date,
        sum(case when previous_snapshot_date = ? then opening_amount_rc else 0 end)
            as opening_amount_rc,
        sum(new_invoice_amount_rc) as new_invoice_amount_rc,
        sum(credit_note_amount_rc) as credit_note_amount_rc,
        sum(cash_applied_amount_rc) as cash_applied_amount_rc,
        sum(unapplied_credit_change_amount_rc) as unapplied_credit_change_amount_rc,
        sum(fx_revaluation_amount_rc) as fx_revaluation_amount_rc,
        sum(case when snapshot_date = ? then closing_amount_rc else 0 end)
            as closing_amount_rc,
        min(reporting_currency) as reporting_currency
    from movements
    group by
        invoice_id, invoice_number, debtor_id, debtor_name, segment, currency, issue_date, due_date
),

chosen as (
    select
        *,
        case ?
            when 'opening_amount' then opening_amount_rc
            when 'new_invoice_amount' then new_invoice_amount_rc
            when 'credit_note_amount' then credit_note_amount_rc
            when 'cash_applied_amount' then cash_applied_amount_rc
            when 'unapplied_credit_change_amount' then unapplied_credit_change_amount_rc
            when 'fx_revaluation_amount' then fx_revaluation_amount_rc
            when 'closing_amount' then closing_amount_rc
        end as step_amount_rc
    from per_invoice
)

select *
from chosen
where step_amount_rc <> 0
order by abs(step_amount_rc) desc, invoice_id
limit ?
