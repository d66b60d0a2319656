{#- The DSO family (DESIGN.md §4), one row per month × segment × period length: the month
    itself (period_months = 1) and the rolling three months ending with it (period_months = 3).
    fct_dso is the one-month rows (the contract's grain, month × segment). Figures are rounded
    exactly to 0.01 (finance_round_ratio), from exact decimal sums. -#}
{%- set max_countback_months = 24 -%}

with

monthly as (

    select * from {{ ref('int_finance_dso_months') }}

),

walk_offsets as (

    {{ dbt.generate_series(max_countback_months) }}

),

walk as (

    select
        monthly.month_start,
        monthly.segment,
        monthly.ending_ar_rc,
        walk_offsets.generated_number - 1 as months_back,
        cast(
            {{ dbt.dateadd('month', '1 - walk_offsets.generated_number', 'monthly.month_start') }}
            as date
        ) as walk_month_start
    from monthly
    cross join walk_offsets

),

walk_months as (

    {#- A month before the first invoice month has no sales (0) and its calendar days. -#}
    select
        walk.month_start,
        walk.segment,
        walk.ending_ar_rc,
        walk.months_back,
        case
            when past.month_start is null then 0 else past.credit_sales_rc
        end as walk_sales_rc,
        coalesce(
            past.days_in_period,
            {{ dbt.datediff(
                'walk.walk_month_start',
                dbt.dateadd('month', '1', 'walk.walk_month_start'),
                'day'
            ) }}
        ) as walk_days,
        past.beginning_ar_rc as walk_beginning_ar_rc,
        case when past.month_start is null then 1 else 0 end as is_before_history
    from walk
    left join monthly as past
        on
            walk.walk_month_start = past.month_start
            and walk.segment = past.segment

),

countback_steps as (

    select
        *,
        ending_ar_rc - coalesce(
            sum(case when walk_sales_rc > 0 then walk_sales_rc else 0 end) over (
                partition by month_start, segment
                order by months_back
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as remaining_before_rc
    from walk_months

),

countback_contributions as (

    {#- A walked month adds all its days, or (the last one) remaining ÷ sales of its days. -#}
    select
        *,
        case
            when remaining_before_rc <= 0 then 0
            when walk_sales_rc <= 0 then walk_days
            when remaining_before_rc >= walk_sales_rc then walk_days
            else 0
        end as countback_full_days,
        remaining_before_rc > 0 and walk_sales_rc > 0 and remaining_before_rc < walk_sales_rc
            as is_countback_partial
    from countback_steps

),

walk_totals as (

    select
        month_start,
        segment,
        sum(countback_full_days) as countback_full_days,
        max(case when is_countback_partial then remaining_before_rc end)
            as countback_partial_remaining_rc,
        max(case when is_countback_partial then walk_sales_rc end) as countback_partial_sales_rc,
        max(case when is_countback_partial then walk_days end) as countback_partial_days,
        sum(case when walk_sales_rc > 0 then walk_sales_rc else 0 end) as walk_positive_sales_rc,
        {#- A missing rate matters only in a month the walk reaches (AR still remaining). #}
        sum(
            case when walk_sales_rc is null and remaining_before_rc > 0 then 1 else 0 end
        ) as walk_missing_rate_count,
        sum(case when months_back < 3 then walk_sales_rc else 0 end) as sales_3m_rc,
        sum(
            case when months_back < 3 and walk_sales_rc is null then 1 else 0 end
        ) as sales_3m_missing_rate_count,
        sum(case when months_back < 3 then walk_days else 0 end) as days_3m,
        sum(
            case
                when months_back = 2 and is_before_history = 1 then 0
                when months_back = 2 then walk_beginning_ar_rc
            end
        ) as beginning_ar_3m_rc,
        sum(
            case
                when months_back = 2 and walk_beginning_ar_rc is null and is_before_history = 0
                    then 1
                else 0
            end
        ) as beginning_3m_missing_rate_count
    from countback_contributions
    group by month_start, segment

),

periods as (

    select
        monthly.month_start,
        monthly.segment,
        1 as period_months,
        monthly.month_start as period_start_date,
        monthly.period_end_date,
        monthly.days_in_period,
        monthly.is_partial_period,
        monthly.credit_sales_rc,
        monthly.beginning_ar_rc,
        monthly.ending_ar_rc,
        monthly.current_ar_rc
    from monthly

    union all

    select
        monthly.month_start,
        monthly.segment,
        3 as period_months,
        cast({{ dbt.dateadd('month', '-2', 'monthly.month_start') }} as date)
            as period_start_date,
        monthly.period_end_date,
        cast(walk_totals.days_3m as {{ dbt.type_int() }}) as days_in_period,
        monthly.is_partial_period,
        case
            when walk_totals.sales_3m_missing_rate_count > 0 then null
            else walk_totals.sales_3m_rc
        end as credit_sales_rc,
        case
            when walk_totals.beginning_3m_missing_rate_count > 0 then null
            else walk_totals.beginning_ar_3m_rc
        end as beginning_ar_rc,
        monthly.ending_ar_rc,
        monthly.current_ar_rc
    from monthly
    inner join walk_totals
        on
            monthly.month_start = walk_totals.month_start
            and monthly.segment = walk_totals.segment

),

figures as (

    select
        periods.*,
        case
            when periods.credit_sales_rc is null or periods.ending_ar_rc is null
                then 'missing_fx_rate'
            when periods.credit_sales_rc = 0 then 'no_credit_sales'
            when periods.credit_sales_rc < 0 then 'negative_credit_sales'
        end as dso_null_reason,
        case
            when periods.ending_ar_rc is null or walk_totals.walk_missing_rate_count > 0
                then 'missing_fx_rate'
            when periods.ending_ar_rc > walk_totals.walk_positive_sales_rc
                then 'ar_not_exhausted_within_{{ max_countback_months }}_months'
        end as countback_null_reason,
        case
            when walk_totals.countback_partial_sales_rc is null
                then cast(walk_totals.countback_full_days as decimal(18, 2))
            else {{ finance_round_ratio(
                'walk_totals.countback_full_days * walk_totals.countback_partial_sales_rc'
                ~ ' + walk_totals.countback_partial_remaining_rc'
                ~ ' * walk_totals.countback_partial_days',
                'walk_totals.countback_partial_sales_rc'
            ) }}
        end as countback_days,
        {#- CEI × N: N·B + S − N·E over N·B + S − N·C keeps the decimals exact. #}
        periods.period_months * periods.beginning_ar_rc + periods.credit_sales_rc
        - periods.period_months * periods.ending_ar_rc as cei_numerator_rc,
        periods.period_months * periods.beginning_ar_rc + periods.credit_sales_rc
        - periods.period_months * periods.current_ar_rc as cei_denominator_rc
    from periods
    inner join walk_totals
        on
            periods.month_start = walk_totals.month_start
            and periods.segment = walk_totals.segment

),

rounded as (

    select
        *,
        case when dso_null_reason is null then {{ finance_round_ratio(
            'ending_ar_rc * days_in_period', 'credit_sales_rc'
        ) }} end as standard_dso_days,
        case when dso_null_reason is null then {{ finance_round_ratio(
            'current_ar_rc * days_in_period', 'credit_sales_rc'
        ) }} end as best_possible_dso_days
    from figures

),

final as (

    select
        month_start as month,
        segment,
        cast(period_months as {{ dbt.type_int() }}) as period_months,
        cast(credit_sales_rc as decimal(18, 2)) as credit_sales_rc,
        cast(beginning_ar_rc as decimal(18, 2)) as beginning_ar_rc,
        cast(ending_ar_rc as decimal(18, 2)) as ending_ar_rc,
        cast(current_ar_rc as decimal(18, 2)) as current_ar_rc,
        {#- Cast to the contract's type: on PostgreSQL a case or a computed figure is an
            unconstrained numeric. #}
        cast(standard_dso_days as decimal(18, 2)) as standard_dso_days,
        cast(
            case when countback_null_reason is null then countback_days end as decimal(18, 2)
        ) as countback_dso_days,
        cast(best_possible_dso_days as decimal(18, 2)) as best_possible_dso_days,
        {#- ADD = DSO − best possible DSO as shown, so the published figures add up. #}
        cast(standard_dso_days - best_possible_dso_days as decimal(18, 2)) as add_days,
        cast(
            {{ finance_round_ratio('cei_numerator_rc * 100', 'cei_denominator_rc') }}
            as decimal(18, 2)
        ) as cei_pct,
        period_start_date,
        period_end_date,
        cast(days_in_period as {{ dbt.type_int() }}) as days_in_period,
        is_partial_period,
        case
            when period_months = 1 then 'monthly'
            else 'crf_credit_sales_divided_by_n'
        end as cei_form,
        dso_null_reason,
        countback_null_reason,
        case
            when cei_numerator_rc is null then 'missing_fx_rate'
            when cei_denominator_rc = 0 then 'zero_denominator'
        end as cei_null_reason,
        {{ reporting_currency() }} as reporting_currency
    from rounded

)

select * from final
