{#- Continuous percentile (linear interpolation between the two nearest values) of
    `expression` as an aggregate, `fraction` in [0, 1] (0.5: the median). No dbt
    cross-database macro exists for it, so this dispatches per adapter. -#}
{% macro ops_percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('ops_percentile', 'amicable')(expression, fraction)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse). -#}
{% macro default__ops_percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro postgres__ops_percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{#- Spark takes PostgreSQL's ordered-set form. -#}
{% macro spark__ops_percentile(expression, fraction) -%}
    {{ return(amicable.postgres__ops_percentile(expression, fraction)) }}
{%- endmacro %}
