{#- The post-hook of an incremental mart that restates whole cells of its grain (delete+insert
    by key) rather than records: a held row of the restated scope that the new data no longer
    yields comes back in the batch as a withdrawal, the held row with a null `loaded_at`, so
    delete+insert replaces it like any other; this deletes the withdrawals. (A record-level
    fact knows from staging which records left it: remove_records_out_of_scope.) -#}
{% macro remove_withdrawn_rows() -%}
    delete from {{ this }} where loaded_at is null
{%- endmacro %}
