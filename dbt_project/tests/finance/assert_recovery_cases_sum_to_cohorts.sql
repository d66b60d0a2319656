{{ config(meta={'dagster': {'ref': {'name': 'fct_recovery_cases'}}}) }}

{#- fct_recovery_cases sums to fct_recovery_cohorts: per placement month and month on book,
    the case count and the placed, recovered, collected and opening-balance amounts agree.
    Returns the cohort months that do not. -#}
with

recovery_cases as (

    select * from {{ ref('fct_recovery_cases') }}

),

cohorts as (

    select * from {{ ref('fct_recovery_cohorts') }}

),

case_totals as (

    select
        placement_month,
        month_on_book,
        count(*) as cases_count,
        sum(placed_amount_rc) as placed_amount_rc,
        sum(recovered_to_date_rc) as recovered_amount_rc,
        sum(collected_in_month_rc) as collected_in_month_rc,
        sum(open_placed_balance_at_start_rc) as open_placed_balance_at_start_rc
    from recovery_cases
    group by placement_month, month_on_book

),

final as (

    select
        coalesce(case_totals.placement_month, cohorts.placement_month) as placement_month,
        coalesce(case_totals.month_on_book, cohorts.month_on_book) as month_on_book
    from case_totals
    full outer join cohorts
        on
            case_totals.placement_month = cohorts.placement_month
            and case_totals.month_on_book = cohorts.month_on_book
    where
        case_totals.cases_count is null
        or cohorts.cases_count is null
        or case_totals.cases_count <> cohorts.cases_count
        or case_totals.placed_amount_rc <> cohorts.placed_amount_rc
        or case_totals.recovered_amount_rc <> cohorts.recovered_amount_rc
        or case_totals.collected_in_month_rc <> cohorts.collected_in_month_rc
        or case_totals.open_placed_balance_at_start_rc <> cohorts.open_placed_balance_at_start_rc

)

select * from final
