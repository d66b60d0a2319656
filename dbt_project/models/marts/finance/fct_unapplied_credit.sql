{#- Unapplied credit (DESIGN.md §4 "Ageing": an excess is reported apart): one row per invoice
    and ageing snapshot date where allocations and credit notes to date exceed the invoice
    amount, the open items of int_finance_open_items with an unapplied credit above zero,
    converted at the rate of the snapshot date. These invoices have an open amount of 0 and are
    absent from fct_ar_ageing. -#}
with

over_applied as (

    select * from {{ ref('int_finance_open_items') }}
    where unapplied_credit_amount > 0

),

final as (

    select
        snapshot_date,
        invoice_id,
        debtor_id,
        segment,
        currency,
        cast(unapplied_credit_amount as decimal(18, 2)) as unapplied_credit_amount,
        cast(round(unapplied_credit_amount * fx_rate, 2) as decimal(18, 2))
            as unapplied_credit_amount_rc,
        invoice_number,
        debtor_name,
        cast(invoice_amount as decimal(18, 2)) as invoice_amount,
        cast(allocated_amount_to_date as decimal(18, 2)) as allocated_amount_to_date,
        cast(credited_amount_to_date as decimal(18, 2)) as credited_amount_to_date,
        {{ reporting_currency() }} as reporting_currency,
        cast(fx_rate as decimal(24, 10)) as fx_rate,
        fx_rate_date,
        is_latest_snapshot
    from over_applied

)

select * from final
