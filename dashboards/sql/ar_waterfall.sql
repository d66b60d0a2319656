-- The ageing waterfall between two snapshots, in one row: the open AR at the first snapshot,
-- the movements of every period after it up to the second, and the open AR at the second.
-- Parameters: from snapshot, to snapshot, segment, segment ('all' is every segment),
-- from snapshot, to snapshot.
with movements as (
    select
        snapshot_date,
        previous_snapshot_date,
        opening_amount_rc,
        new_invoice_amount_rc,
        credit_note_amount_rc,
        cash_applied_amount_rc,
        unapplied_credit_change_amount_rc,
        fx_revaluation_amount_rc,
        closing_amount_rc,
        reporting_currency
    from marts.fct_ar_movements
    where
        snapshot_date > ?
        and snapshot_date <= ?
        and (? = 'all' or segment = ?)
),

final as (
    select
        coalesce(sum(case when previous_snapshot_date = ? then opening_amount_rc end), 0)
            as opening_amount_rc,
        coalesce(sum(new_invoice_amount_rc), 0) as new_invoice_amount_rc,
        coalesce(sum(credit_note_amount_rc), 0) as credit_note_amount_rc,
        coalesce(sum(cash_applied_amount_rc), 0) as cash_applied_amount_rc,
        coalesce(sum(unapplied_credit_change_amount_rc), 0) as unapplied_credit_change_amount_rc,
        coalesce(sum(fx_revaluation_amount_rc), 0) as fx_revaluation_amount_rc,
        coalesce(sum(case when snapshot_date = ? then closing_amount_rc end), 0)
            as closing_amount_rc,
        count(*) as movement_rows,
        min(reporting_currency) as reporting_currency
    from movements
)

select * from final
