{#- round(`expression`, `places`) for a double-precision expression (a ratio, a percentile),
    with the same result on every engine. Dispatched (amicable namespace). -#}
{% macro round_double(expression, places) -%}
    {{ return(adapter.dispatch('round_double', 'amicable')(expression, places)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse): round(double, places) is round-half-away-from-zero of
    expression x 10^places, in doubles, divided back. -#}
{% macro default__round_double(expression, places) -%}
    round({{ expression }}, {{ places }})
{%- endmacro %}

{#- PostgreSQL has no round(double precision, integer), and rounding the numeric a double is
    cast to rounds its 15-digit decimal form (16.23625 up to 16.2363) where DuckDB rounds the
    binary double (16.236249999..., down to 16.2362): so DuckDB's computation, in doubles
    (the expression cast to double precision, as DuckDB's division of decimals gives one). -#}
{% macro postgres__round_double(expression, places) -%}
    {%- set value = 'cast(' ~ expression ~ ' as double precision)' -%}
    (trunc({{ value }} * {{ 10 ** places }} + sign({{ value }}) * 0.5) / {{ 10 ** places }})
{%- endmacro %}

{#- Spark's round(double) rounds the double's shortest decimal form, as PostgreSQL's numeric
    does: so DuckDB's computation in doubles, a cast to bigint truncating as trunc() does. -#}
{% macro spark__round_double(expression, places) -%}
    {%- set value = 'cast(' ~ expression ~ ' as double)' -%}
    (cast({{ value }} * {{ 10 ** places }} + sign({{ value }}) * 0.5 as bigint) / {{ 10 ** places }})
{%- endmacro %}
