{#- Spark: dbt's `dateadd` as Spark's `timestampadd` (a timestamp, as on DuckDB and PostgreSQL;
    microseconds kept). dbt-spark's own repeats its argument three times (and rebuilds the
    time of day from Unix seconds), so nested calls grow threefold per level: a daily build's
    restatement windows (a date ± months ± days of a scalar subquery, in a CTE that Spark
    copies into each place it is read) gave fct_compliance_breaches a plan that took half a
    minute to plan on the tiny sample. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set units = {
        'day': ('day', 1), 'week': ('day', 7), 'month': ('month', 1), 'quarter': ('month', 3),
        'year': ('month', 12), 'hour': ('hour', 1), 'minute': ('minute', 1),
        'second': ('second', 1), 'millisecond': ('millisecond', 1),
        'microsecond': ('microsecond', 1)
    } -%}
    {%- if datepart | lower not in units -%}
        {{ exceptions.raise_compiler_error("dateadd: no date part '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
    {%- set unit, multiplier = units[datepart | lower] -%}
    timestampadd({{ unit }}, cast(({{ interval }}) * {{ multiplier }} as bigint), {{ from_date_or_timestamp }})
{%- endmacro %}
