{#- The ageing buckets of DESIGN.md §4, the one home of their labels, order and boundaries: in
    order, each label with the last day past due it holds (none: open-ended). current (<= 0),
    1-30, 31-60, 61-90, 91-120, 120+ (> 120). Read by finance_ageing_bucket (the marts) and
    dim_ageing_buckets (the dashboards). -#}
{% macro finance_ageing_buckets() -%}
    {{ return([
        ('current', 0),
        ('1-30', 30),
        ('31-60', 60),
        ('61-90', 90),
        ('91-120', 120),
        ('120+', none),
    ]) }}
{%- endmacro %}

{#- Ageing bucket label of a day count (finance_ageing_buckets). Used by the finance marts on
    days past due or days since issue. -#}
{% macro finance_ageing_bucket(days_column) -%}
    case
        {%- for label, last_day in finance_ageing_buckets() %}
        {%- if last_day is not none %}
        when {{ days_column }} <= {{ last_day }} then '{{ label }}'
        {%- else %}
        else '{{ label }}'
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}
