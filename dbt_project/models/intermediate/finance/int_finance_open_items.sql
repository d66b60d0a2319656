{#- Open items on the ageing snapshot dates: one row per invoice and snapshot date of
    int_ageing_snapshot_dates where the balance period of fct_ar_balance_periods containing
    the date has an open amount or an unapplied credit above zero, with the rate of the
    snapshot date (latest on or before it). The one input of fct_ar_ageing (open_amount > 0)
    and fct_unapplied_credit (unapplied_credit_amount > 0). A view: each mart reads its half. -#}
{{ config(materialized='view') }}

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

items as (

    {{ balance_periods_on(
        'snapshot_dates', 'snapshot_date', 'open_amount > 0 or unapplied_credit_amount > 0'
    ) }}

),

final as (

    select
        items.snapshot_date,
        items.invoice_id,
        items.debtor_id,
        items.segment,
        items.currency,
        items.due_date,
        items.open_amount,
        items.unapplied_credit_amount,
        items.invoice_number,
        items.issue_date,
        items.debtor_name,
        items.invoice_amount,
        items.allocated_amount_to_date,
        items.credited_amount_to_date,
        snapshot_fx_rates.rate_to_reporting as fx_rate,
        snapshot_fx_rates.rate_date as fx_rate_date,
        case when items.snapshot_date = {{ as_of_date() }} then true else false end
            as is_latest_snapshot
    from items
    left join snapshot_fx_rates
        on
            items.snapshot_date = snapshot_fx_rates.snapshot_date
            and items.currency = snapshot_fx_rates.currency

)

select * from final
