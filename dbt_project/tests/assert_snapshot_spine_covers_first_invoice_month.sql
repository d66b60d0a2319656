{{ config(meta={'dagster': {'ref': {'name': 'int_ageing_snapshot_dates'}}}) }}

{#- The ageing's earliest snapshot is the month end of the earliest invoice (or as_of, if that
    comes first): fails if int_ageing_snapshot_dates' fixed horizon ever truncates history. -#}
with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

snapshot_dates as (

    select * from {{ ref('int_ageing_snapshot_dates') }}

),

first_invoice as (

    select min(issue_date) as first_issue_date
    from invoices
    where document_type = 'invoice'

),

first_snapshot as (

    select min(snapshot_date) as first_snapshot_date
    from snapshot_dates

),

final as (

    select
        first_invoice.first_issue_date,
        first_snapshot.first_snapshot_date
    from first_invoice
    cross join first_snapshot
    where
        first_invoice.first_issue_date is not null
        and first_snapshot.first_snapshot_date
        <> case
            when {{ dbt.last_day('first_invoice.first_issue_date', 'month') }} < {{ as_of_date() }}
                then {{ dbt.last_day('first_invoice.first_issue_date', 'month') }}
            else {{ as_of_date() }}
        end

)

select * from final
