{#- Ageing bucket label of a day count (DESIGN.md §4): current (<= 0), 1-30, 31-60, 61-90,
    91-120, 120+ (> 120). Used by the finance marts on days past due or days since issue. -#}
{% macro finance_ageing_bucket(days_column) -%}
    case
        when {{ days_column }} <= 0 then 'current'
        when {{ days_column }} <= 30 then '1-30'
        when {{ days_column }} <= 60 then '31-60'
        when {{ days_column }} <= 90 then '61-90'
        when {{ days_column }} <= 120 then '91-120'
        else '120+'
    end
{%- endmacro %}
