{#- The post-hook of every model (dbt_project.yml): on PostgreSQL, ANALYZE the table just
    built, so the models that read it next are planned from its statistics. dbt-postgres does
    not analyze, and autovacuum analyzes a new table only a minute or so later: a model planned
    before that guesses a filter on an unknown column keeps 0.5 % of the rows and chooses
    nested loops over re-run aggregates (fct_late_payment_interest on the demo sample: more
    than 20 minutes; 0.5 s planned from statistics). Dispatched (amicable namespace). -#}
{% macro analyze_built_table() -%}
    {{ return(adapter.dispatch('analyze_built_table', 'amicable')()) }}
{%- endmacro %}

{#- DuckDB keeps its tables' statistics as it writes them: nothing to do. An empty hook is
    not run. -#}
{% macro default__analyze_built_table() -%}
{%- endmacro %}

{#- A view or an ephemeral model holds no rows to analyze. ANALYZE runs inside the model's
    transaction once its rows are written (an incremental model's batch too), before the
    model's own post-hook if it has one (dbt runs the project's hooks first; the deletion of
    withdrawn rows changes few rows). -#}
{% macro postgres__analyze_built_table() -%}
    {%- if model.config.materialized in ['table', 'incremental'] -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- Spark plans without table statistics unless its cost-based optimizer is on (it is off by
    default, and `analyze table ... compute statistics` is a Spark job per table): nothing. -#}
{% macro spark__analyze_built_table() -%}
{%- endmacro %}
