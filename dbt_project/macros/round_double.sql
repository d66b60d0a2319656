{#- round(`expression`, `places`) for a double-precision expression (a ratio, a percentile):
    DuckDB rounds a double as it is; PostgreSQL has round(numeric, int) only, so the double is
    cast to numeric first. Dispatched (amicable namespace). -#}
{% macro round_double(expression, places) -%}
    {{ return(adapter.dispatch('round_double', 'amicable')(expression, places)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse). -#}
{% macro default__round_double(expression, places) -%}
    round({{ expression }}, {{ places }})
{%- endmacro %}

{% macro postgres__round_double(expression, places) -%}
    round(cast({{ expression }} as numeric), {{ places }})
{%- endmacro %}
