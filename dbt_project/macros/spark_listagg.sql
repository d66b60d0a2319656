{#- Spark: dbt-spark's listagg drops `order_by_clause` (collect_list's order is the
    execution's) and gives '' for no rows; Spark 4's own listagg orders within the group and,
    as DuckDB's string_agg and PostgreSQL's, gives null for no rows. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg on Spark: limit_num is not supported') }}
    {%- endif -%}
    listagg({{ measure }}, {{ delimiter_text }})
    {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
{%- endmacro %}
