{#- Open receivables at each DSO balance date (DESIGN.md §4): every period end of
    int_finance_months (month ends, and as_of for the partial month) plus the day before the
    first month (beginning AR of the first period). Same open-amount rule as fct_ar_ageing
    (macro invoice_balance_periods); converted at the rate of the balance date, rounded to the
    cent per invoice, so the totals tie to fct_ar_ageing at the same dates. -#}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

payment_allocations as (

    select * from {{ ref('int_payment_allocations_dated') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

months as (

    select * from {{ ref('int_finance_months') }}

),

balance_dates as (

    select period_end_date as balance_date from months

    union

    select cast({{ dbt.dateadd('day', '-1', 'min(month_start)') }} as date) as balance_date
    from months
    having count(*) > 0

),

balance_periods as (

    {{ invoice_balance_periods('invoices', 'payment_allocations') }}

),

balance_date_rates as (

    {{ fx_rates_on_dates('balance_dates', 'balance_date', 'fx_rates') }}

),

open_items as (

    select
        balance_dates.balance_date,
        balance_periods.invoice_id,
        balance_periods.net_balance_amount as open_amount
    from balance_periods
    inner join balance_dates
        on
            balance_dates.balance_date >= balance_periods.valid_from_date
            and balance_dates.balance_date < balance_periods.valid_to_date
    where balance_periods.net_balance_amount > 0

),

final as (

    select
        open_items.balance_date,
        open_items.invoice_id,
        invoices.debtor_id,
        coalesce(customers.segment, 'unknown') as segment,
        invoices.currency,
        invoices.due_date,
        case when invoices.due_date >= open_items.balance_date then true else false end
            as is_current,
        cast(open_items.open_amount as decimal(18, 2)) as open_amount,
        cast(balance_date_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        balance_date_rates.rate_date as fx_rate_date,
        cast(
            round(open_items.open_amount * balance_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as open_amount_rc
    from open_items
    inner join invoices
        on open_items.invoice_id = invoices.invoice_id
    left join customers
        on invoices.debtor_id = customers.debtor_id
    left join balance_date_rates
        on
            open_items.balance_date = balance_date_rates.balance_date
            and invoices.currency = balance_date_rates.currency

)

select * from final
