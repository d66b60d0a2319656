{#- The build's as-of date as a SQL date literal, from var `as_of` (ISO `YYYY-MM-DD`; default
    in dbt_project.yml: the UTC date the run started). Fails the compile on a malformed date. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or (as_of | string | trim) == '' -%}
        {%- set as_of = run_started_at.strftime('%Y-%m-%d') -%}
    {%- endif -%}
    {%- set as_of = as_of | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', as_of) -%}
        {{ exceptions.raise_compiler_error(
            "var as_of must be an ISO date YYYY-MM-DD, got '" ~ as_of ~ "'"
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.strptime(as_of, '%Y-%m-%d') -%}
    cast('{{ parsed.strftime("%Y-%m-%d") }}' as date)
{%- endmacro %}
