-- The statements of account of a list of debtors over a period (amicable.statements, which
-- asks for many at once: one scan of the mart per batch): per debtor and invoice currency, the balance brought forward at the day before the period, then every movement of
-- the debtor's invoices dated in the period (invoice issued, credit note applied, payment
-- applied) with the running balance. Movements are read from marts.fct_ar_balance_periods
-- (the one home of the open-amount rule): an invoice enters on its first period's valid_from
-- (its issue date), and each later period's rise of allocated_amount_to_date (a payment) or of
-- credited_amount_to_date (a credit note) is a movement on its valid_from. The balance at a
-- date is therefore what the invoices owe at it: open amount minus unapplied credit, per
-- currency (the ageing's open amount when no credit exceeds an invoice).
-- line_kind: opening_balance | invoice | credit_note | payment; amount is signed (invoices
-- positive); a currency without a line nor a balance brought forward is left out.
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

periods as (
    select
        periods.debtor_id,
        periods.invoice_id,
        periods.invoice_number,
        periods.currency,
        periods.due_date,
        periods.valid_from,
        periods.invoice_amount,
        periods.allocated_amount_to_date
        - coalesce(
            lag(periods.allocated_amount_to_date) over invoice_periods, 0
        ) as allocated_amount,
        periods.credited_amount_to_date
        - coalesce(
            lag(periods.credited_amount_to_date) over invoice_periods, 0
        ) as credited_amount,
        row_number() over invoice_periods as period_number
    from marts.fct_ar_balance_periods as periods
    where periods.debtor_id in (select debtors.debtor_id from debtors)
    window invoice_periods as (partition by periods.invoice_id order by periods.valid_from)
),

movements as (
    select
        debtor_id,
        currency,
        valid_from as line_date,
        1 as kind_order,
        'invoice' as line_kind,
        invoice_id,
        invoice_number,
        due_date,
        invoice_amount as amount
    from periods
    where period_number = 1

    union all

    select
        debtor_id,
        currency,
        valid_from as line_date,
        2 as kind_order,
        'credit_note' as line_kind,
        invoice_id,
        invoice_number,
        due_date,
        0 - credited_amount as amount
    from periods
    where credited_amount <> 0

    union all

    select
        debtor_id,
        currency,
        valid_from as line_date,
        3 as kind_order,
        'payment' as line_kind,
        invoice_id,
        invoice_number,
        due_date,
        0 - allocated_amount as amount
    from periods
    where allocated_amount <> 0
),

opening as (
    select
        movements.debtor_id,
        movements.currency,
        sum(
            case when movements.line_date < picked.from_date then movements.amount else 0 end
        ) as amount
    from movements
    cross join picked
    where movements.line_date <= picked.to_date
    group by movements.debtor_id, movements.currency
),

in_period as (
    select movements.*
    from movements
    cross join picked
    where movements.line_date between picked.from_date and picked.to_date
),

lines as (
    select
        opening.debtor_id,
        opening.currency,
        picked.from_date - 1 as line_date,
        0 as kind_order,
        'opening_balance' as line_kind,
        cast(null as varchar) as invoice_id,
        cast(null as varchar) as invoice_number,
        cast(null as date) as due_date,
        opening.amount
    from opening
    cross join picked
    where
        opening.amount <> 0
        or exists (
            select 1 as found
            from in_period
            where
                in_period.debtor_id = opening.debtor_id
                and in_period.currency = opening.currency
        )

    union all

    select
        debtor_id,
        currency,
        line_date,
        kind_order,
        line_kind,
        invoice_id,
        invoice_number,
        due_date,
        amount
    from in_period
)

select
    debtor_id,
    currency,
    cast(line_date as date) as line_date,
    line_kind,
    invoice_id,
    invoice_number,
    due_date,
    cast(amount as decimal(18, 2)) as amount,
    cast(
        sum(amount) over (
            partition by debtor_id, currency
            order by line_date, kind_order, invoice_number, invoice_id
            rows between unbounded preceding and current row
        ) as decimal(18, 2)
    ) as balance
from lines
order by debtor_id, currency, line_date, kind_order, invoice_number, invoice_id
