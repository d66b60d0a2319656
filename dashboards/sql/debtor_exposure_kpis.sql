-- The headline of the top debtors: over the debtors of a segment ('all': any) in
-- marts.fct_debtor_exposure, how many owe something, the open, overdue, disputed and promised
-- AR (null when a debtor's figure is unknown: no FX rate, never a partial sum), and the
-- debtors over their credit limit. Parameters: segment, segment.
select
    count(*) filter (where open_items > 0) as debtors_with_open_items,
    case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end as open_amount_rc,
    case
        when count(*) = count(overdue_amount_rc) then sum(overdue_amount_rc)
    end as overdue_amount_rc,
    case
        when count(*) = count(disputed_amount_rc) then sum(disputed_amount_rc)
    end as disputed_amount_rc,
    case
        when count(*) = count(promised_amount_rc) then sum(promised_amount_rc)
    end as promised_amount_rc,
    count(*) filter (where is_over_limit) as debtors_over_limit,
    count(*) filter (where credit_limit_rc is not null) as debtors_with_limit,
    max(reporting_currency) as reporting_currency,
    max(as_of_date) as as_of_date
from marts.fct_debtor_exposure
where ? = 'all' or segment = ?
