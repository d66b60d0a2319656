{#- The post-hook of a record-level incremental fact (delete+insert by record key, records of
    a case up to as_of): delete the held records whose latest staging version left the fact's
    scope (no case any more, or dated after as_of). delete+insert cannot: it only replaces the
    keys its batch holds, and the scope filter keeps such a version out of the batch.
    `kind_column` and `id_column` are the fact's key columns; `sources` lists, per record kind,
    (kind, staging model, id column, time column): record_sources. -#}
{% macro remove_records_out_of_scope(kind_column, id_column, sources) -%}
    {{ return(adapter.dispatch('remove_records_out_of_scope', 'amicable')(
        kind_column, id_column, sources
    )) }}
{%- endmacro %}

{#- Spark: Parquet tables take no DELETE; the table is written again without them
    (macros/spark_incremental.sql). -#}
{% macro spark__remove_records_out_of_scope(kind_column, id_column, sources) -%}
    {%- do spark_delete_where(records_out_of_scope(kind_column, id_column, sources)) -%}
{%- endmacro %}

{% macro default__remove_records_out_of_scope(kind_column, id_column, sources) -%}
    delete from {{ this }} as held
    where {{ records_out_of_scope(kind_column, id_column, sources) }}
{%- endmacro %}

{#- The condition on a held row (alias `held`) that its record's latest staging version left
    the fact's scope. -#}
{% macro records_out_of_scope(kind_column, id_column, sources) -%}
    exists (
        select 1
        from (
            {%- for kind, model, id_column_in, time_column in sources %}
            select
                '{{ kind }}' as record_kind,
                {{ id_column_in }} as record_id,
                case_id,
                {{ time_column }} as occurred_at
            from {{ ref(model) }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as records
        where
            (records.case_id is null or cast(records.occurred_at as date) > {{ as_of_date() }})
            and records.record_kind = held.{{ kind_column }}
            and records.record_id = held.{{ id_column }}
    )
{%- endmacro %}

{#- (kind, staging model, id column, time column) of each record kind of `kinds` a case's
    record-level facts hold (fct_case_timeline, int_ops_case_contacts). -#}
{% macro record_sources(kinds) -%}
    {%- set sources = [
        ('case_event', 'stg_cases__case_events', 'event_id', 'occurred_at'),
        ('call', 'stg_contacts__calls', 'contact_id', 'started_at'),
        ('message', 'stg_contacts__messages', 'contact_id', 'sent_at'),
    ] -%}
    {%- set selected = [] -%}
    {%- for source in sources if source[0] in kinds -%}
        {%- do selected.append(source) -%}
    {%- endfor -%}
    {{ return(selected) }}
{%- endmacro %}
