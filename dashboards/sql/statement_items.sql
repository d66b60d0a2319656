-- The items of the statements of account of a list of debtors (amicable.statements, which
-- asks for many at once: one scan of the mart per batch): every invoice open
-- on the statement date, and every one settled in the period (its open amount fell to zero
-- on a date from the first day of the period to the statement date, or it was issued in the
-- period and is not open). Balances at the statement date are the period of
-- marts.fct_ar_balance_periods containing it (valid_to excluded, null = open-ended); an open
-- item is aged and bucketed as the marts do (marts.dim_ageing_buckets) and converted at the
-- rate in force on the date (marts.dim_fx_rate_periods), rounded to the cent per invoice: on
-- an ageing snapshot its rows equal marts.fct_ar_ageing's (tests/finance/test_statements.py).
-- open_amount_rc is null for an item without a rate on the date.
-- Parameters: debtor ids (a list), from_date (first day of the period), to_date (statement
-- date).
with debtors as (
    select unnest(cast(? as varchar[])) as debtor_id
),

picked as (
    select
        cast(? as date) as from_date,
        cast(? as date) as to_date
),

debtor_periods as (
    select periods.*
    from marts.fct_ar_balance_periods as periods
    cross join picked
    where
        periods.debtor_id in (select debtors.debtor_id from debtors)
        and periods.valid_from <= picked.to_date
),

at_date as (
    select debtor_periods.*
    from debtor_periods
    cross join picked
    where debtor_periods.valid_to is null or debtor_periods.valid_to > picked.to_date
),

last_open as (
    select
        invoice_id,
        max(coalesce(valid_to, cast('9999-12-31' as date))) as open_until
    from debtor_periods
    where open_amount > 0
    group by invoice_id
),

rates as (
    select
        fx.currency,
        fx.rate_to_reporting
    from marts.dim_fx_rate_periods as fx
    cross join picked
    where
        fx.valid_from <= picked.to_date
        and (fx.valid_to is null or fx.valid_to > picked.to_date)
),

items as (
    select
        at_date.debtor_id,
        at_date.invoice_id,
        at_date.invoice_number,
        at_date.currency,
        at_date.issue_date,
        at_date.due_date,
        at_date.invoice_amount,
        at_date.allocated_amount_to_date,
        at_date.credited_amount_to_date,
        at_date.open_amount,
        at_date.unapplied_credit_amount,
        case when at_date.open_amount > 0 then 'open' else 'settled' end as status,
        case when at_date.open_amount = 0 then last_open.open_until end as settled_on,
        date_diff('day', at_date.due_date, picked.to_date) as days_past_due
    from at_date
    cross join picked
    left join last_open
        on at_date.invoice_id = last_open.invoice_id
    where
        at_date.open_amount > 0
        or last_open.open_until >= picked.from_date
        or at_date.issue_date >= picked.from_date
),

final as (
    select
        items.debtor_id,
        items.invoice_id,
        items.invoice_number,
        items.currency,
        items.issue_date,
        items.due_date,
        items.status,
        cast(items.settled_on as date) as settled_on,
        cast(items.invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(items.allocated_amount_to_date as decimal(18, 2)) as paid_amount,
        cast(items.credited_amount_to_date as decimal(18, 2)) as credited_amount,
        cast(items.open_amount as decimal(18, 2)) as open_amount,
        cast(items.unapplied_credit_amount as decimal(18, 2)) as unapplied_credit_amount,
        case when items.status = 'open' then items.days_past_due end as days_past_due,
        case when items.status = 'open' then buckets.ageing_bucket end as ageing_bucket,
        case when items.status = 'open' then buckets.bucket_order end as bucket_order,
        cast(round(items.open_amount * rates.rate_to_reporting, 2) as decimal(18, 2))
            as open_amount_rc
    from items
    left join marts.dim_ageing_buckets as buckets
        on
            (buckets.min_days_past_due is null or items.days_past_due >= buckets.min_days_past_due)
            and (
                buckets.max_days_past_due is null
                or items.days_past_due <= buckets.max_days_past_due
            )
    left join rates
        on items.currency = rates.currency
)

select *
from final
order by debtor_id, currency, status, due_date, invoice_number, invoice_id
