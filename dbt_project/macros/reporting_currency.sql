{#- The reporting currency (var `reporting_currency`, ISO 4217) as a SQL string literal. -#}
{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency', 'EUR') | string | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error(
            "var reporting_currency must be an ISO 4217 code, got '" ~ code ~ "'"
        ) }}
    {%- endif -%}
    '{{ code }}'
{%- endmacro %}
