{#- Accounts-receivable ageing by due date (DESIGN.md §4 "Ageing"): one row per open invoice
    and snapshot date. The key columns come first and are part of the product's interface. -#}
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

snapshot_dates as (

    select * from {{ ref('int_ageing_snapshot_dates') }}

),

balance_periods as (

    {{ invoice_balance_periods('invoices', 'payment_allocations') }}

),

snapshot_fx_rates as (

    {{ fx_rates_on_dates('snapshot_dates', 'snapshot_date', 'fx_rates') }}

),

open_items as (

    select
        snapshot_dates.snapshot_date,
        balance_periods.invoice_id,
        balance_periods.invoice_amount,
        balance_periods.allocated_amount_to_date,
        balance_periods.credited_amount_to_date,
        balance_periods.net_balance_amount as open_amount
    from balance_periods
    inner join snapshot_dates
        on
            snapshot_dates.snapshot_date >= balance_periods.valid_from_date
            and snapshot_dates.snapshot_date < balance_periods.valid_to_date
    where balance_periods.net_balance_amount > 0

),

aged as (

    select
        open_items.snapshot_date,
        open_items.invoice_id,
        invoices.debtor_id,
        coalesce(customers.segment, 'unknown') as segment,
        invoices.currency,
        invoices.due_date,
        cast(
            {{ dbt.datediff('invoices.due_date', 'open_items.snapshot_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_past_due,
        open_items.open_amount,
        invoices.invoice_number,
        invoices.issue_date,
        customers.debtor_name,
        open_items.invoice_amount,
        open_items.allocated_amount_to_date,
        open_items.credited_amount_to_date,
        snapshot_fx_rates.rate_to_reporting as fx_rate,
        snapshot_fx_rates.rate_date as fx_rate_date
    from open_items
    inner join invoices
        on open_items.invoice_id = invoices.invoice_id
    left join customers
        on invoices.debtor_id = customers.debtor_id
    left join snapshot_fx_rates
        on
            open_items.snapshot_date = snapshot_fx_rates.snapshot_date
            and invoices.currency = snapshot_fx_rates.currency

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
