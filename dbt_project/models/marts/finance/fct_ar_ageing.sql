{#- Accounts-receivable ageing by due date (DESIGN.md §4 "Ageing"): one row per open invoice
    and snapshot date, the open items of int_finance_open_items with an open amount above zero,
    aged and bucketed, converted at the rate of the snapshot date. The key columns come first
    and are part of the product's interface. -#}
with

open_items as (

    select * from {{ ref('int_finance_open_items') }}
    where open_amount > 0

),

aged as (

    select
        *,
        cast(
            {{ dbt.datediff('due_date', 'snapshot_date', 'day') }} as {{ dbt.type_int() }}
        ) as days_past_due
    from open_items

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
        is_latest_snapshot
    from aged

)

-- Written in snapshot order: a reader of one snapshot (every ageing page) reads only that
-- snapshot's row groups (DuckDB skips the others by their min/max dates).
select * from final
order by snapshot_date
