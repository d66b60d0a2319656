{#- Rank of each contact (alias `contacts`: contact_at, contact_kind, contact_id) among those
    joined to the same `partition_by`: 1 for the latest, ties broken by contact_kind then
    contact_id descending, so one contact wins whatever the order of the rows. -#}
{% macro ops_latest_contact_first(partition_by) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by contacts.contact_at desc, contacts.contact_kind desc, contacts.contact_id desc
    )
{%- endmacro %}
