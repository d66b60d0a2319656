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
    Emits a select of every column of `relation` plus `_version_rank` (always 1). -#}
{% macro deduplicate_latest(relation, key_columns, updated_at=none) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {% if updated_at %}{{ updated_at }} desc nulls last, {% endif -%}
                    _extracted_at desc nulls last,
                    _loaded_at desc nulls last,
                    _source_row desc,
                    _source_file desc
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
