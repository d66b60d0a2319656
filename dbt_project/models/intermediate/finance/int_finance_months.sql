{#- The finance calendar (DESIGN.md §4 DSO family): one row per month from the month of the
    earliest invoice to the month of as_of. The as_of month is partial: its period ends on
    as_of and counts the days elapsed (as_of included). Months are generated backwards from
    as_of over a fixed horizon, like int_ageing_snapshot_dates. -#}
{%- set max_history_months = 1200 -%}

with

invoices as (

    select * from {{ ref('stg_erp__invoices') }}

),

first_invoice as (

    select {{ dbt.date_trunc('month', 'min(issue_date)') }} as first_month_start
    from invoices
    where document_type = 'invoice' and issue_date <= {{ as_of_date() }}

),

month_offsets as (

    {{ dbt.generate_series(max_history_months) }}

),

months as (

    select
        cast(
            {{ dbt.dateadd('month', '1 - generated_number', dbt.date_trunc('month', as_of_date())) }}
            as date
        ) as month_start
    from month_offsets

),

bounded as (

    select
        months.month_start,
        cast({{ dbt.last_day('months.month_start', 'month') }} as date) as month_end
    from months
    cross join first_invoice
    where months.month_start >= first_invoice.first_month_start

),

final as (

    select
        month_start,
        month_end,
        case
            when month_end > {{ as_of_date() }} then {{ as_of_date() }} else month_end
        end as period_end_date,
        cast(
            {{ dbt.datediff(
                'month_start',
                'case when month_end > ' ~ as_of_date() ~ ' then ' ~ as_of_date()
                ~ ' else month_end end',
                'day'
            ) }} + 1 as {{ dbt.type_int() }}
        ) as days_in_period,
        case when month_end > {{ as_of_date() }} then true else false end as is_partial_period
    from bounded

)

select * from final
