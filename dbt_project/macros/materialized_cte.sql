{#- `materialized` for a CTE read more than once that must be computed once (`name as
    {{ materialized_cte() }} (...)`): DuckDB's and PostgreSQL's hint. Spark has no such hint
    (and decides itself whether to reuse a subquery's result): nothing there. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'amicable')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}
