{#- The compliance rule packs (var `rule_packs`, built by amicable.rule_packs.load_rule_packs
    from config/rule_packs/*.yml). Without the var there are no packs: every case is then
    unresolved and the error-severity test `compliance_jurisdiction_resolved` fails. -#}
{% macro compliance_rule_packs() -%}
    {%- set packs = var('rule_packs', none) -%}
    {%- if packs is none -%}
        {%- set packs = {'jurisdictions': {}, 'rules': [], 'holidays': {}} -%}
    {%- elif packs is string -%}
        {%- set packs = fromjson(packs) -%}
    {%- endif -%}
    {{ return(packs) }}
{%- endmacro %}

{#- SQL string literal list: ('a', 'b'). -#}
{% macro compliance_in_list(values) -%}
    ({% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}

{#- Whether a timeline/case row (`alias`) is governed by `rule`: segment scope and, for rules
    of a pack, the pack's jurisdictions, less except_jurisdictions. -#}
{% macro compliance_applies(rule, alias) -%}
    {{ alias }}.segment in {{ compliance_in_list(rule.segments) }}
    {%- if rule.jurisdictions is not none %}
    and {{ alias }}.jurisdiction in {{ compliance_in_list(rule.jurisdictions) }}
    {%- endif %}
    {%- if rule.except_jurisdictions %}
    and {{ alias }}.jurisdiction not in {{ compliance_in_list(rule.except_jurisdictions) }}
    {%- endif %}
{%- endmacro %}

{#- Local wall-clock timestamp of a UTC timestamp in an IANA time zone (DST-correct). -#}
{% macro compliance_local_timestamp(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('compliance_local_timestamp', 'amicable')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__compliance_local_timestamp(utc_timestamp, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro postgres__compliance_local_timestamp(utc_timestamp, time_zone) -%}
    (({{ utc_timestamp }} at time zone 'UTC') at time zone {{ time_zone }})
{%- endmacro %}

{#- A one-column subquery (`name`) of the IANA time zone names the warehouse knows: give it an
    alias (PostgreSQL requires one). -#}
{% macro compliance_time_zone_names() -%}
    {{ return(adapter.dispatch('compliance_time_zone_names', 'amicable')()) }}
{%- endmacro %}

{% macro default__compliance_time_zone_names() -%}
    (select name from pg_timezone_names())
{%- endmacro %}

{% macro postgres__compliance_time_zone_names() -%}
    (select name from pg_timezone_names)
{%- endmacro %}
