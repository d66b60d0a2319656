{#- Use a model's custom schema as-is (staging, intermediate, marts), not prefixed with the
    target schema: the marts schema is a public interface and must be named `marts`.
    A build that publishes by renaming schemas (PostgreSQL: orchestration/pg_publish.py) writes
    their unpublished twins, named with the var `schema_suffix`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ var('schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
