{#- Accounts-receivable ageing by due date (DESIGN.md §4 "Ageing"): one row per open invoice
    and snapshot date, the balance period of fct_ar_balance_periods containing each snapshot
    date where its open amount is above zero, converted at the rate of the snapshot date.
    The key columns come first and are part of the product's interface. -#}
with

balance_periods as (

    select * from {{ ref('fct_ar_balance_periods') }}

),

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

snapshot_dates as (

    select * from {{ ref('int_ageing_snapshot_dates') }}

),

snapshot_fx_rates as (

    {{ fx_rates_on_dates('snapshot_dates', 'snapshot_date', 'fx_rates') }}

),

open_items as (

    {{ balance_periods_on('snapshot_dates', 'snapshot_date', 'open_amount') }}

),

aged as (

    select
        open_items.snapshot_date,
        open_items.invoice_id,
        open_items.debtor_id,
        open_items.segment,
        open_items.currency,
        open_items.due_date,
        cast(
            {{ dbt.datediff('open_items.due_date', 'open_items.snapshot_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_past_due,
        open_items.open_amount,
        open_items.invoice_number,
        open_items.issue_date,
        open_items.debtor_name,
        open_items.invoice_amount,
        open_items.allocated_amount_to_date,
        open_items.credited_amount_to_date,
        snapshot_fx_rates.rate_to_reporting as fx_rate,
        snapshot_fx_rates.rate_date as fx_rate_date
    from open_items
    left join snapshot_fx_rates
        on
            open_items.snapshot_date = snapshot_fx_rates.snapshot_date
            and open_items.currency = snapshot_fx_rates.currency

),

final as (

    select
        snapshot_date,
        invoice_id,
        debtor_id,
        segment,
        currency,
        due_date,
        days_past_due,
        {{ finance_ageing_bucket('days_past_due') }} as ageing_bucket,
        cast(open_amount as decimal(18, 2)) as open_amount,
        cast(round(open_amount * fx_rate, 2) as decimal(18, 2)) as open_amount_rc,
        invoice_number,
        issue_date,
        debtor_name,
        cast(invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(allocated_amount_to_date as decimal(18, 2)) as allocated_amount_to_date,
        cast(credited_amount_to_date as decimal(18, 2)) as credited_amount_to_date,
        {{ reporting_currency() }} as reporting_currency,
        cast(fx_rate as decimal(24, 10)) as fx_rate,
        fx_rate_date,
        case
            when snapshot_date = {{ as_of_date() }} then true else false
        end as is_latest_snapshot
    from aged

)

select * from final
