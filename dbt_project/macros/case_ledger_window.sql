{#- Whether `date_column` falls in a case's ledger window (`windows`: a relation or CTE with
    the columns of int_case_ledger_windows): from window_start_date (included) to
    window_end_date (excluded; null = no end), and up to as_of. -#}
{% macro case_ledger_window_contains(date_column, windows='windows') -%}
    {{ date_column }} >= {{ windows }}.window_start_date
    and ({{ windows }}.window_end_date is null or {{ date_column }} < {{ windows }}.window_end_date)
    and {{ date_column }} <= {{ as_of_date() }}
{%- endmacro %}
