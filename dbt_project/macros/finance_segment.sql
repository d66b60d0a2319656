{#- The segment a finance figure counts a debtor in: the segment of its customer record
    (`segment_column`, from a left join to stg_erp__customers), `unknown` for a debtor missing
    from the customers file (a row-level defect the staging relationship test names), so the
    segments of every finance mart add up to `all`. The one home of that rule. -#}
{% macro finance_segment(segment_column) -%}
    coalesce({{ segment_column }}, 'unknown')
{%- endmacro %}
