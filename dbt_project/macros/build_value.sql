{#- One of the build's own values (as_of, run_id, build_fingerprint, full_refresh_reason,
    tested_batches), `default` when not given. A var of that name wins (dbt's unit tests, a run
    by hand: `--vars '{as_of: "2026-03-31"}'`); else the orchestrator's environment variable
    `AMICABLE_BUILD_<NAME>` (JSON), read only while dbt executes: dbt's partial parsing re-parses
    the whole project when a var changes, and every file that read a changed environment
    variable while parsing, so values that change every build are read after the parse
    (orchestration.dbt_assets.build_environment). -#}
{% macro build_value(name, default=none) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none and execute -%}
        {%- set given = env_var('AMICABLE_BUILD_' ~ (name | upper), '') -%}
        {%- if given != '' -%}
            {%- set value = fromjson(given) -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(default if value is none else value) -}}
{%- endmacro %}
