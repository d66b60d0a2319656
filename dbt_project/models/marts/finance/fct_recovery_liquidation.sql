{#- Liquidation rate per calendar month over all placed cases (DESIGN.md §4 Recovery):
    collected in the month ÷ open placed balance at the start of the month (cases placed
    during the month enter with their placed amount). The sum of fct_recovery_cohorts' rows
    of that calendar month. -#}
with

cohorts as (

    select * from {{ ref('fct_recovery_cohorts') }}

),

per_month as (

    select
        calendar_month,
        max(period_end_date) as period_end_date,
        max(case when is_partial_period then 1 else 0 end) as is_partial,
        sum(cases_count) as cases_count,
        sum(collected_in_month_rc) as collected_in_month_rc,
        sum(open_placed_balance_at_start_rc) as open_placed_balance_at_start_rc,
        sum(case when collected_in_month_rc is null then 1 else 0 end) as missing_rate_count
    from cohorts
    group by calendar_month

),

final as (

    select
        calendar_month,
        cast(cases_count as {{ dbt.type_int() }}) as cases_count,
        {{ finance_liquidation_columns() }}
    from per_month

)

select * from final
