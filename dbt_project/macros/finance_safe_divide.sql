{#- numerator / denominator as a double, null when the denominator is zero or null (an
    undefined figure is null, never an error or a zero). -#}
{% macro finance_safe_divide(numerator, denominator) -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as {{ finance_type_double() }}) / {{ denominator }}
    end
{%- endmacro %}
