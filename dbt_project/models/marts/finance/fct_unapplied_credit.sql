{#- Unapplied credit (DESIGN.md §4 "Ageing": an excess is reported apart): one row per invoice
    and ageing snapshot date where allocations and credit notes to date exceed the invoice
    amount, the balance period of fct_ar_balance_periods containing each snapshot date where
    its unapplied credit is above zero, converted at the rate of the snapshot date. These
    invoices have an open amount of 0 and are absent from fct_ar_ageing. -#}
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

over_applied as (

    {{ balance_periods_on('snapshot_dates', 'snapshot_date', 'unapplied_credit_amount') }}

),

final as (

    select
        over_applied.snapshot_date,
        over_applied.invoice_id,
        over_applied.debtor_id,
        over_applied.segment,
        over_applied.currency,
        cast(over_applied.unapplied_credit_amount as decimal(18, 2)) as unapplied_credit_amount,
        cast(
            round(over_applied.unapplied_credit_amount * snapshot_fx_rates.rate_to_reporting, 2)
            as decimal(18, 2)
        ) as unapplied_credit_amount_rc,
        over_applied.invoice_number,
        over_applied.debtor_name,
        cast(over_applied.invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(over_applied.allocated_amount_to_date as decimal(18, 2)) as allocated_amount_to_date,
        cast(over_applied.credited_amount_to_date as decimal(18, 2)) as credited_amount_to_date,
        {{ reporting_currency() }} as reporting_currency,
        cast(snapshot_fx_rates.rate_to_reporting as decimal(24, 10)) as fx_rate,
        snapshot_fx_rates.rate_date as fx_rate_date,
        case
            when over_applied.snapshot_date = {{ as_of_date() }} then true else false
        end as is_latest_snapshot
    from over_applied
    left join snapshot_fx_rates
        on
            over_applied.snapshot_date = snapshot_fx_rates.snapshot_date
            and over_applied.currency = snapshot_fx_rates.currency

)

select * from final
