{#- Spark: the contracts' type names, written for DuckDB and PostgreSQL, in Spark's (`varchar`
    without a length is `string`, `double precision` is `double`). dbt learns a contract's
    schema by casting null to each contracted type (get_empty_schema_sql, through this
    macro), so this is where Spark reads the contracts; other casts are unchanged. -#}
{% macro spark__cast(field, type) -%}
    {%- set spark_types = {'varchar': 'string', 'double precision': 'double'} -%}
    cast({{ field }} as {{ spark_types.get(type | trim | lower, type) }})
{%- endmacro %}
