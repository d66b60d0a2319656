{#- One row per key from an append-only raw relation: the latest version wins, in this order
    (the one home of the rule: whoever needs rows as staging keeps them reads staging.stg_*):
    1. the latest `updated_at` (when the source has one);
    2. the latest `_extracted_at`, the extraction time in the file's name (DESIGN.md §3);
    3. the latest load `_loaded_at` (a file re-delivered under the same name: the newer load);
    4. the latest `_source_row` (a key twice in one file: the later row);
    5. `_source_file`, only so that a full tie (two files with the same extraction time, loaded
       together, the key on the same row) is decided the same way every time; the raw suites
       warn about every key whose versions only rules 4-5 order.
    Versions without a timestamp (none are loaded today) sort before every other.

    The kept row's values are the latest version's; its citation (`_source_file`,
    `_source_row`, `_loaded_at`, `_batch_id`, `_extracted_at`) is that of the earliest version
    of its latest content: the oldest of the run of versions, next to each other in the order
    above, whose content (every column of `raw_table` declared in the raw source, lineage
    aside) is the latest's, compared by row_fingerprint. A record re-sent unchanged therefore
    changes nothing downstream, not even its citation (the file it was first sent in holds the
    same values), and a daily build's "loaded since" scopes skip it; a record changed and
    changed back (A, B, A) cites the last A, the version after the change.
    Its `_loaded_at` is the later of the cited version's load and the load of the version just
    before the run (the boundary, when there is one): downstream models take a row as changed
    when its `_loaded_at` is above the latest they hold, and a citation can change without a
    new cited load only when a late version with other content splits the run (d3 A and d5 A
    cite d3; a late d4 B makes it d5, whose load is old, but d4's is new). A version joining
    the run's old end is cited itself, with its new load; a re-send at the new end changes
    nothing.
    A key with one version, most keys, is kept as it is: only the keys with several versions
    go through the windows (running them on every key made a full build's staging several
    times slower).
    Emits a select of the raw table's columns plus `_version_rank` (always 1). -#}
{% macro deduplicate_latest(relation, key_columns, raw_table, updated_at=none) -%}
    {%- set keys = key_columns | join(', ') -%}
    {%- set lineage = ['_source_file', '_source_row', '_loaded_at', '_batch_id', '_extracted_at'] -%}
    {%- set content = raw_content_columns(raw_table) -%}
    {%- set several -%}
        select {{ keys }} from {{ relation }} group by {{ keys }} having count(*) > 1
    {%- endset -%}
    {%- set same_key -%}
        {%- for key in key_columns %}{{ ' and ' if not loop.first }}several.{{ key }} = versions.{{ key }}{% endfor -%}
    {%- endset -%}
    {#- A key with one version (most of them) is kept as it is, without a window. -#}
    select
        {%- for column in content + lineage %}
        {{ column }},
        {%- endfor %}
        1 as _version_rank
    from {{ relation }} as versions
    where not exists (select 1 from ({{ several }}) as several where {{ same_key }})

    union all

    select
        {%- for column in content %}
        {{ column }},
        {%- endfor %}
        {%- for column in lineage %}
        {%- if column == '_loaded_at' %}
        {#- the later of the cited load and the boundary's: see the header -#}
        case
            when _boundary_loaded_at > _cited_loaded_at then _boundary_loaded_at
            else _cited_loaded_at
        end as _loaded_at,
        {%- else %}
        _cited{{ column }} as {{ column }},
        {%- endif %}
        {%- endfor %}
        _version_rank
    from (
        select
            *,
            max(case when _version_rank = _cited_rank + 1 then _loaded_at end)
                over (partition by {{ keys }}) as _boundary_loaded_at,
            {%- for column in lineage %}
            max(case when _version_rank = _cited_rank then {{ column }} end)
                over (partition by {{ keys }}) as _cited{{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from (
            select
                *,
                min(case when _starts_content then _version_rank end)
                    over (partition by {{ keys }}) as _cited_rank
            from (
                select
                    *,
                    coalesce(
                        lead(_content_fingerprint) over (
                            partition by {{ keys }} order by _version_rank
                        ) <> _content_fingerprint,
                        true
                    ) as _starts_content
                from (
                    select
                        versions.*,
                        row_number() over (
                            partition by {{ keys }}
                            order by
                                {% if updated_at %}{{ updated_at }} desc nulls last, {% endif -%}
                                _extracted_at desc nulls last,
                                _loaded_at desc nulls last,
                                _source_row desc,
                                _source_file desc
                        ) as _version_rank,
                        {{ row_fingerprint(content) }} as _content_fingerprint
                    from {{ relation }} as versions
                    where exists (select 1 from ({{ several }}) as several where {{ same_key }})
                ) as ranked
            ) as runs
        ) as cited
    ) as latest_versions
    where _version_rank = 1
{%- endmacro %}

{#- The two CTEs of a staging model, `source` and `latest` (the model selects from `latest`):
    the rows of raw table `raw_table` (on an incremental run only the keys with a version loaded
    since the model's last build, keys_loaded_since_last_build; inlined on a full build,
    raw_source_cte_hint), then one row per key, the latest version (deduplicate_latest).
    `key_columns` is the business key, `updated_at` the column ordering corrections (none when
    the source has none). -#}
{% macro staging_latest(raw_table, key_columns, updated_at=none) -%}
{%- set raw_relation = source('raw', raw_table) -%}
source as {{ raw_source_cte_hint() }} (

    select * from {{ raw_relation }} as raw_rows
    {{ keys_loaded_since_last_build(raw_relation, key_columns) }}

),

latest as (

    {{ deduplicate_latest('source', key_columns, raw_table, updated_at=updated_at) }}

)
{%- endmacro %}

{#- The content columns of raw table `raw_table`: those its raw source declares
    (models/staging/_raw__sources.yml, the contract's fields in order), lineage (`_*`) aside. -#}
{% macro raw_content_columns(raw_table) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- set node = graph.sources.get('source.amicable.raw.' ~ raw_table) -%}
        {%- if node is none -%}
            {{ exceptions.raise_compiler_error('no raw source table ' ~ raw_table) }}
        {%- endif -%}
        {%- for name in node.columns.keys() if not name.startswith('_') -%}
            {%- do columns.append(name) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(columns if columns else ['1']) }}
{%- endmacro %}
