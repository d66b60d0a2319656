{#- dbt's diff_column_data_types (the `dbt` namespace's macro; dbt_project.yml's `dispatch`
    searches this project first), on PostgreSQL: the columns whose type differs between an
    incremental model's new rows (`source_columns`) and its table (`target_columns`), which
    fails a build with on_schema_change: fail. As dbt's default, except that `text` and an
    unbounded `varchar` are one type (PostgreSQL stores and compares them alike): a contracted
    table is created with the contract's varchar, while a query's string literals,
    concatenations and dbt.type_string() casts yield text. -#}
{% macro postgres__diff_column_data_types(source_columns, target_columns) %}
    {%- set result = [] -%}
    {%- for sc in source_columns -%}
        {%- set tc = target_columns | selectattr('name', 'equalto', sc.name) | list | first -%}
        {%- if tc -%}
            {%- set unbounded_strings = sc.is_string() and tc.is_string()
                and sc.char_size is none and tc.char_size is none -%}
            {%- if sc.expanded_data_type != tc.expanded_data_type
                and not sc.can_expand_to(other_column=tc) and not unbounded_strings -%}
                {%- do result.append({'column_name': tc.name, 'new_type': sc.expanded_data_type}) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(result) -}}
{% endmacro %}
