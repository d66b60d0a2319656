{#- The build's as-of date as a SQL date literal, from `build_value('as_of')` (ISO `YYYY-MM-DD`:
    var `as_of`, else the orchestrator's environment). The orchestrator always passes it
    (amicable.settings.today() is the one default "today", UTC);
    dbt picks no date of its own: a run without it fails, as does a malformed date. Models and
    consumers outside dbt read the date from marts.dim_build. -#}
{% macro as_of_date() -%}
    {%- set as_of = build_value('as_of') -%}
    {%- if as_of is none or (as_of | string | trim) == '' -%}
        {%- if execute -%}
            {{ exceptions.raise_compiler_error(
                "var as_of is required (YYYY-MM-DD): `amicable build` passes it; "
                ~ "by hand: dbt run --vars '{as_of: \"2026-03-31\"}'"
            ) }}
        {%- endif -%}
        {%- set as_of = '1970-01-01' -%}
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
