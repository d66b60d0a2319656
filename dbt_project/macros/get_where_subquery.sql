{#- dbt's `where` test config, with one placeholder: `__new_rows__` (set for every test of the
    incremental staging models in dbt_project.yml) becomes, when var `tested_batches` is
    given, a condition keeping the rows whose `_batch_id` is one of those batches: the rows
    a daily build rewrote with a new version since the data tests last all passed
    (orchestration.dbt_assets, data_quality.sql_scope). Without the var (a full refresh, or a
    test failed since the last whole run) it keeps every row. A uniqueness test keeps every row
    sharing its key with such a row, so a new row colliding with an untouched one is still
    found; a row-level test (not null, accepted values, an expression, a relationship from
    this model) judges each row alone, and rows outside the batches passed when last tested.
    Any other `where` is dbt's own. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__new_rows__' in where -%}
        {%- set where = where | replace('__new_rows__', new_rows_condition(relation)) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The condition `__new_rows__` stands for (see get_where_subquery): `true` without var
    `tested_batches`. -#}
{% macro new_rows_condition(relation) -%}
    {%- set batches = build_value('tested_batches') -%}
    {%- if batches is none -%}
        {{- 'true' -}}
    {%- else -%}
        {%- set listed = [] -%}
        {%- for batch in batches -%}
            {%- do listed.append("'" ~ (batch | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- set new_rows -%}
            (_batch_id is null or _batch_id in ({{ listed | join(', ') if listed else 'null' }}))
        {%- endset -%}
        {%- set test = model.get('test_metadata') or {} -%}
        {%- if test.get('name') == 'unique' -%}
            {%- set key = test.get('kwargs', {}).get('column_name') -%}
            {{- key }} in (select {{ key }} from {{ relation }} where {{ new_rows }})
        {%- else -%}
            {{- new_rows -}}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
