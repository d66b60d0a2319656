{#- Text value of a top-level key of a JSON object held in a text column (null when the key
    is absent). No dbt cross-database macro exists for JSON, so this dispatches per adapter. -#}
{% macro json_extract_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_extract_text', 'amicable')(json_column, key)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse). -#}
{% macro default__json_extract_text(json_column, key) -%}
    json_extract_string({{ json_column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__json_extract_text(json_column, key) -%}
    (cast({{ json_column }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro spark__json_extract_text(json_column, key) -%}
    get_json_object({{ json_column }}, '$.{{ key }}')
{%- endmacro %}
