{#- A double-precision float type (dbt.type_float() is a 4-byte FLOAT on DuckDB). -#}
{% macro finance_type_double() -%}
    {{ return(adapter.dispatch('finance_type_double', 'amicable')()) }}
{%- endmacro %}

{#- DuckDB (the default warehouse). -#}
{% macro default__finance_type_double() -%}
    double
{%- endmacro %}

{% macro postgres__finance_type_double() -%}
    double precision
{%- endmacro %}
