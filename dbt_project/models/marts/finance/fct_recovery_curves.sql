{#- Recovery curves by placement cohort (DESIGN.md §4 Recovery) for every cell of the recovery
    page's filters: one row per placement month × month on book × segment × strategy (a value,
    `unknown` when missing, or `all` for every one) of the placed cases of fct_recovery_cases.
    recovery_rate = recovered ÷ placed, liquidation_rate = collected in the month ÷ open placed
    balance at its start; amounts and rates are null when a case of the cell lacks a rate
    (never a partial sum). fct_recovery_cohorts is the segment `all`, strategy `all` rows. -#}
with

recovery_cases as (

    select * from {{ ref('fct_recovery_cases') }}

),

cells as (

    {{ with_filter_totals(
        'recovery_cases',
        ['segment', 'strategy'],
        [
            'placement_month',
            'month_on_book',
            'calendar_month',
            'period_end_date',
            'is_partial_period',
            'placed_amount_rc',
            'recovered_to_date_rc',
            'collected_in_month_rc',
            'open_placed_balance_at_start_rc',
        ]
    ) }}

),

curves as (

    select
        placement_month,
        month_on_book,
        calendar_month,
        segment,
        strategy,
        max(period_end_date) as period_end_date,
        max(case when is_partial_period then 1 else 0 end) as is_partial,
        count(*) as cases_count,
        sum(placed_amount_rc) as placed_amount_rc,
        sum(recovered_to_date_rc) as recovered_amount_rc,
        sum(collected_in_month_rc) as collected_in_month_rc,
        sum(open_placed_balance_at_start_rc) as open_placed_balance_at_start_rc,
        sum(
            case
                when
                    placed_amount_rc is null or recovered_to_date_rc is null
                    or collected_in_month_rc is null or open_placed_balance_at_start_rc is null
                    then 1
                else 0
            end
        ) as missing_rate_count
    from cells
    group by placement_month, month_on_book, calendar_month, segment, strategy

),

final as (

    select
        placement_month,
        month_on_book,
        calendar_month,
        segment,
        strategy,
        cast(cases_count as {{ dbt.type_int() }}) as cases_count,
        cast(case when missing_rate_count = 0 then placed_amount_rc end as decimal(18, 2))
            as placed_amount_rc,
        cast(case when missing_rate_count = 0 then recovered_amount_rc end as decimal(18, 2))
            as recovered_amount_rc,
        cast(
            {{ round_double(
                'case when missing_rate_count = 0 then '
                ~ finance_safe_divide('recovered_amount_rc', 'placed_amount_rc') ~ ' end',
                6
            ) }} as {{ finance_type_double() }}
        ) as recovery_rate,
        {{ finance_liquidation_columns() }}
    from curves

)

select * from final
