{#- On an incremental run, a `where` clause keeping the staging records a record-level fact
    must (re)write: those loaded since the fact's last build (`loaded_at` above the latest one
    it holds: new records and new versions of old ones) and those dated after the latest
    date it holds (records an earlier as-of date left out). The fact must carry a column
    `loaded_at` and a time column (`fact_time`, `occurred_at` unless named) and replace rows
    by record key (delete+insert); records that fall out of its scope (no case any more, dated
    after as_of) are removed by its post-hook. `loaded_at` and `occurred_at` are the staging
    columns. On a full build it emits nothing. -#}
{% macro loaded_or_dated_since_last_build(loaded_at, occurred_at, fact_time='occurred_at') -%}
    {%- if is_incremental() %}
    where
        {{ loaded_at }} > (
            select coalesce(max(built.loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }} as built
        )
        or cast({{ occurred_at }} as date) > (
            select coalesce(max(cast(built.{{ fact_time }} as date)), cast('1900-01-01' as date))
            from {{ this }} as built
        )
    {%- endif %}
{%- endmacro %}
