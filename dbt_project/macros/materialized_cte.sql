{#- `materialized` for a CTE read more than once that must be computed once, inside a query
    that staged_cte stages (a model's own such CTE is a staged_cte): DuckDB's and PostgreSQL's
    hint (`name as {{ materialized_cte() }} (...)`). Spark has no such hint: nothing there
    (the staged query around it is written once, as a table). -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'amicable')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro spark__materialized_cte() -%}
{%- endmacro %}
