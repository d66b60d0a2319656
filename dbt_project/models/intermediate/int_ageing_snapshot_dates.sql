{#- Snapshot dates of the ageing (DESIGN.md §4): every month end from the month of the earliest
    invoice up to as_of, plus as_of itself. Month ends are generated backwards from as_of's
    month over a fixed horizon (no data-dependent query at compile time, so unit tests and
    other warehouses work alike); assert_snapshot_spine_covers_first_invoice_month fails if
    the history ever outgrows it. -#}
{%- set max_history_months = 1200 -%}

with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

first_invoice as (

    select min(issue_date) as first_issue_date
    from invoices
    where document_type = 'invoice'

),

month_offsets as (

    {{ dbt.generate_series(max_history_months) }}

),

month_ends as (

    select
        {{ dbt.last_day(
            dbt.dateadd('month', '1 - generated_number', dbt.date_trunc('month', as_of_date())),
            'month'
        ) }} as snapshot_date
    from month_offsets

),

month_end_snapshots as (

    select month_ends.snapshot_date
    from month_ends
    cross join first_invoice
    where
        month_ends.snapshot_date < {{ as_of_date() }}
        and month_ends.snapshot_date >= first_invoice.first_issue_date

),

snapshots as (

    select
        snapshot_date,
        true as is_month_end,
        false as is_latest_snapshot
    from month_end_snapshots

    union all

    select
        {{ as_of_date() }} as snapshot_date,
        case
            when {{ as_of_date() }} = {{ dbt.last_day(as_of_date(), 'month') }} then true
            else false
        end as is_month_end,
        true as is_latest_snapshot

),

final as (

    select
        cast(snapshot_date as date) as snapshot_date,
        is_month_end,
        is_latest_snapshot
    from snapshots

)

select * from final
