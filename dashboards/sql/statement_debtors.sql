-- The debtors a bulk run of statements of account covers (amicable.statements): those of a
-- segment ('all': any) with an invoice open or holding unapplied credit at some time in the
-- period, or a movement on one in it (a balance period of marts.fct_ar_balance_periods
-- starting in it), with their name and segment (the debtor's, on each of its rows), by debtor
-- id.
-- Parameters: segment, from_date (first day of the period), to_date (statement date).
with picked as (
    select
        cast(? as varchar) as segment,
        cast(? as date) as from_date,
        cast(? as date) as to_date
)

select
    periods.debtor_id,
    min(periods.debtor_name) as debtor_name,
    min(periods.segment) as segment
from marts.fct_ar_balance_periods as periods
cross join picked
where
    (picked.segment = 'all' or periods.segment = picked.segment)
    and periods.valid_from <= picked.to_date
    and (periods.valid_to is null or periods.valid_to > picked.from_date)
    and (
        periods.open_amount > 0
        or periods.unapplied_credit_amount > 0
        or periods.valid_from >= picked.from_date
    )
group by periods.debtor_id
order by periods.debtor_id
