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

{#- Spark: from_utc_timestamp gives the wall clock as a timestamp read in the session's time
    zone (UTC, profiles.yml), so as the other engines give it. -#}
{% macro spark__compliance_local_timestamp(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
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

{#- Spark lists no time zones in SQL: the IANA names of dbt's pytz, as literals. -#}
{% macro spark__compliance_time_zone_names() -%}
    (select explode(array(
        {%- for name in modules.pytz.all_timezones %}'{{ name }}'{{ ',' if not loop.last }}{% endfor -%}
    )) as name)
{%- endmacro %}

{#- The time of day of a timestamp, and a time-of-day literal (`HH:MM:SS`), as values that
    compare as times do: DuckDB's and PostgreSQL's `time`; Spark has no time type, so there
    both are fixed-width texts `HH:mm:ss.SSSSSS` (which compare as the times they spell). -#}
{% macro compliance_time_of_day(timestamp) -%}
    {{ return(adapter.dispatch('compliance_time_of_day', 'amicable')(timestamp)) }}
{%- endmacro %}

{% macro default__compliance_time_of_day(timestamp) -%}
    cast({{ timestamp }} as time)
{%- endmacro %}

{% macro spark__compliance_time_of_day(timestamp) -%}
    date_format({{ timestamp }}, 'HH:mm:ss.SSSSSS')
{%- endmacro %}

{% macro compliance_time_literal(text) -%}
    {{ return(adapter.dispatch('compliance_time_literal', 'amicable')(text)) }}
{%- endmacro %}

{% macro default__compliance_time_literal(text) -%}
    cast('{{ text }}' as time)
{%- endmacro %}

{% macro spark__compliance_time_literal(text) -%}
    {%- set whole, _, fraction = (text | string).partition('.') -%}
    '{{ whole }}.{{ (fraction ~ '000000')[:6] }}'
{%- endmacro %}

{#- True when a date is a Sunday (DuckDB's and PostgreSQL's dow: 0 is Sunday; Spark's
    dayofweek: 1 is). -#}
{% macro compliance_is_sunday(date) -%}
    {{ return(adapter.dispatch('compliance_is_sunday', 'amicable')(date)) }}
{%- endmacro %}

{% macro default__compliance_is_sunday(date) -%}
    extract(dow from {{ date }}) = 0
{%- endmacro %}

{% macro spark__compliance_is_sunday(date) -%}
    dayofweek({{ date }}) = 1
{%- endmacro %}
