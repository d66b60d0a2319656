{#- Open receivables at each DSO balance date (DESIGN.md §4): every period end of
    int_finance_months (month ends, and as_of for the partial month) plus the day before the
    first month (beginning AR of the first period). The open items are the balance periods of
    fct_ar_balance_periods containing each balance date (as in fct_ar_ageing); converted at the
    rate of the balance date, rounded to the cent per invoice, so the totals tie to
    fct_ar_ageing at the same dates. -#}
with

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}

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

balance_date_rates as (

    {{ fx_rates_on_dates('balance_dates', 'balance_date', 'fx_rates') }}

),

open_items as (

    {{ balance_periods_on('balance_dates', 'balance_date', 'open_amount > 0') }}

),

final as (

    select
        open_items.balance_date,
        open_items.invoice_id,
        open_items.debtor_id,
        open_items.segment,
        open_items.currency,
        open_items.due_date,
        case when open_items.due_date >= open_items.balance_date then true else false end
            as is_current,
        cast(open_items.open_amount as decimal(18, 2)) as open_amount,
        cast(balance_date_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        balance_date_rates.rate_date as fx_rate_date,
        cast(
            round(open_items.open_amount * balance_date_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as open_amount_rc
    from open_items
    left join balance_date_rates
        on
            open_items.balance_date = balance_date_rates.balance_date
            and open_items.currency = balance_date_rates.currency

)

select * from final
