{#- The liquidation columns shared by fct_recovery_cohorts and fct_recovery_liquidation, from
    a relation carrying collected_in_month_rc, open_placed_balance_at_start_rc,
    missing_rate_count, period_end_date and is_partial: amounts and the rate are null when a
    rate is missing (never a silent zero). -#}
{% macro finance_liquidation_columns() -%}
        cast(case when missing_rate_count = 0 then collected_in_month_rc end as decimal(18, 2))
            as collected_in_month_rc,
        cast(
            case when missing_rate_count = 0 then open_placed_balance_at_start_rc end
            as decimal(18, 2)
        ) as open_placed_balance_at_start_rc,
        cast({{ round_double(
            'case when missing_rate_count = 0 then '
            ~ finance_safe_divide('collected_in_month_rc', 'open_placed_balance_at_start_rc')
            ~ ' end', 6) }} as {{ finance_type_double() }}) as liquidation_rate,
        period_end_date,
        case when is_partial = 1 then true else false end as is_partial_period,
        {{ reporting_currency() }} as reporting_currency
{%- endmacro %}
