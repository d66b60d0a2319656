{#- One row per key from an append-only raw relation: the latest `updated_at` (when the source
    has one), then the latest `_source_file`, then the latest `_source_row` wins.
    Emits a select of every column of `relation` plus `_version_rank` (always 1). -#}
{% macro deduplicate_latest(relation, key_columns, updated_at=none) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {% if updated_at %}{{ updated_at }} desc, {% endif -%}
                    _source_file desc,
                    _source_row desc
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
