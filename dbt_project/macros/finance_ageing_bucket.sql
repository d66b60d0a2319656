{#- The ageing buckets of DESIGN.md §4, the one home of their labels, order and boundaries: in
    order, each label with the last day past due it holds (none: open-ended), from var
    `ageing.bucket_edges` (config/amicable.yml, validated by amicable.config.Ageing): current
    (<= 0), one bucket per edge from the day after the previous edge (`1-30`; `7` when it holds
    one day), then `<last edge>+`. The default edges [30, 60, 90, 120] give current, 1-30,
    31-60, 61-90, 91-120, 120+. Read by finance_ageing_bucket (the marts) and
    dim_ageing_buckets (the dashboards and checks). -#}
{% macro finance_ageing_buckets() -%}
    {%- if not execute -%}
        {{ return([('current', none)]) }}  {#- parsing only: the SQL is not run -#}
    {%- endif -%}
    {%- set edges = ops_config('ageing', ['bucket_edges'])['bucket_edges'] -%}
    {%- set buckets = [('current', 0)] -%}
    {%- for edge in edges -%}
        {%- set first_day = 1 if loop.first else edges[loop.index0 - 1] + 1 -%}
        {%- set label = edge ~ '' if first_day == edge else first_day ~ '-' ~ edge -%}
        {%- do buckets.append((label, edge)) -%}
    {%- endfor -%}
    {%- do buckets.append((edges[-1] ~ '+', none)) -%}
    {{ return(buckets) }}
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
