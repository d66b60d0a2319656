{#- Recovery of each placed case at each month on book, with the case's segment, strategy and
    agent (DESIGN.md §4 Recovery): the rows fct_recovery_cohorts sums, so a page can narrow the
    curves to a segment or strategy and list the cases behind a cohort. -#}
with

case_recoveries as (

    select * from {{ ref('int_finance_case_recoveries') }}

),

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

customers as (

    select * from {{ ref('stg_erp__customers') }}

),

latest_months as (

    select
        case_id,
        max(month_on_book) as latest_month_on_book
    from case_recoveries
    group by case_id

),

final as (

    select
        case_recoveries.case_id,
        case_recoveries.month_on_book,
        case_recoveries.placement_month,
        case_recoveries.calendar_month,
        case_recoveries.period_end_date,
        case_recoveries.is_partial_period,
        cases.debtor_id,
        customers.debtor_name,
        {{ finance_segment('customers.segment') }} as segment,
        cases.strategy,
        cases.agent_id,
        cases.currency,
        cases.placed_amount,
        case_recoveries.placed_amount_rc,
        case_recoveries.recovered_to_date_rc,
        cast(
            case_recoveries.recovered_to_date_rc - case_recoveries.recovered_before_month_rc
            as decimal(18, 2)
        ) as collected_in_month_rc,
        cast(
            case_recoveries.placed_amount_rc - case_recoveries.recovered_before_month_rc
            as decimal(18, 2)
        ) as open_placed_balance_at_start_rc,
        cast({{ round_double(
            finance_safe_divide(
                'case_recoveries.recovered_to_date_rc', 'case_recoveries.placed_amount_rc'
            ), 6) }} as {{ finance_type_double() }}) as recovery_rate,
        case
            when case_recoveries.month_on_book = latest_months.latest_month_on_book then true
            else false
        end as is_latest_month_on_book,
        {{ reporting_currency() }} as reporting_currency
    from case_recoveries
    inner join latest_months
        on case_recoveries.case_id = latest_months.case_id
    left join cases
        on case_recoveries.case_id = cases.case_id
    left join customers
        on cases.debtor_id = customers.debtor_id

)

select * from final
