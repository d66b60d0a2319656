{#- Recovery curves by placement cohort (DESIGN.md §4 Recovery): one row per placement month
    (month the case was opened) × month on book (0 = the placement month), up to as_of. -#}
with

case_recoveries as (

    select * from {{ ref('int_finance_case_recoveries') }}

),

cohorts as (

    select
        placement_month,
        month_on_book,
        calendar_month,
        max(period_end_date) as period_end_date,
        max(case when is_partial_period then 1 else 0 end) as is_partial,
        count(*) as cases_count,
        sum(placed_amount_rc) as placed_amount_rc,
        sum(recovered_to_date_rc) as recovered_amount_rc,
        sum(recovered_to_date_rc - recovered_before_month_rc) as collected_in_month_rc,
        sum(placed_amount_rc - recovered_before_month_rc) as open_placed_balance_at_start_rc,
        sum(
            case
                when
                    recovered_to_date_rc is null or recovered_before_month_rc is null
                    or placed_amount_rc is null then 1
                else 0
            end
        ) as missing_rate_count
    from case_recoveries
    group by placement_month, month_on_book, calendar_month

),

final as (

    select
        placement_month,
        month_on_book,
        calendar_month,
        cast(cases_count as {{ dbt.type_int() }}) as cases_count,
        cast(case when missing_rate_count = 0 then placed_amount_rc end as decimal(18, 2))
            as placed_amount_rc,
        cast(case when missing_rate_count = 0 then recovered_amount_rc end as decimal(18, 2))
            as recovered_amount_rc,
        cast(
            round(
                case
                    when missing_rate_count = 0
                        then {{ finance_safe_divide('recovered_amount_rc', 'placed_amount_rc') }}
                end,
                6
            ) as {{ finance_type_double() }}
        ) as recovery_rate,
        {{ finance_liquidation_columns() }}
    from cohorts

)

select * from final
