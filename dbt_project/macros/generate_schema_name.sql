{#- Use a model's custom schema as-is (staging, intermediate, marts), not prefixed with the
    target schema: the marts schema is a public interface and must be named `marts`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
