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

{#- `not materialized` for a CTE read more than once that is cheaper read again than kept:
    each reader's filters and columns reach the table scan below it. DuckDB (2.0) and
    PostgreSQL keep a CTE read twice or more as a whole temporary result by default, every
    column of every row, which each reader then scans in full (fct_compliance_breaches'
    timeline at xl: 10.9M rows, 2.3 GB spilled to disk under the 2 GB memory cap, read by its
    25 rule queries: 68-82 CPU s; inlined: 13 CPU s, the same rows). Spark inlines every CTE:
    nothing there. -#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'amicable')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}
    not materialized
{%- endmacro %}

{% macro spark__inlined_cte() -%}
{%- endmacro %}
