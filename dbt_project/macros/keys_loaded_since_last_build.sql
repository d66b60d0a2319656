{#- On an incremental run, a `where` clause keeping the raw rows of every key with a version
    loaded since the model's last build (`_loaded_at` above the latest one the model holds):
    the model then re-ranks all versions of those keys, old and new, with deduplicate_latest,
    and dbt's delete+insert replaces their rows. A late correction to a year-old invoice is
    therefore restated exactly; a key whose new version loses the ranking (an older re-sent
    row) is rewritten unchanged. On a full build (or --full-refresh) it emits nothing.
    `relation` is the raw relation, `key_columns` the business key. -#}
{% macro keys_loaded_since_last_build(relation, key_columns) -%}
    {%- if is_incremental() %}
    where exists (
        select 1
        from {{ relation }} as loaded_since
        where
            loaded_since._loaded_at > (
                select coalesce(max(built._loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }} as built
            )
            {%- for key in key_columns %}
            and loaded_since.{{ key }} = raw_rows.{{ key }}
            {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}

{#- The hint of a staging model's `source` CTE, which deduplicate_latest reads up to four
    times: on a full build, inlined (inlined_cte), so each read takes only its columns of the
    raw table (the key alone for the keys with several versions): xl's raw calls, 5.4M rows,
    9.2 -> 5.4 CPU s; kept once on an incremental run, where it is the few rows of the keys
    loaded since (keys_loaded_since_last_build), cheaper kept than filtered four times. -#}
{% macro raw_source_cte_hint() -%}
    {{ inlined_cte() if not is_incremental() }}
{%- endmacro %}
