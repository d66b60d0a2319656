{#- dbt's `where` test config, with two placeholders, each keeping on a daily build only the
    rows a test must read again (every row on a full refresh: the orchestrator then gives no
    value, and the placeholder becomes `true`):

    - `__new_rows__` (every test of the incremental staging models, dbt_project.yml): the rows
      whose `_batch_id` is one of var `tested_batches`, the raw batches loaded since the data
      tests last all passed (orchestration.dbt_assets, data_quality.sql_scope);
    - `__written_since_tested__` (tests of the incremental models that stamp every row they
      write with the build's input mark, `loaded_at`): the rows written since the model's
      tests last all passed in this warehouse slot, by its mark in var `tested_marks` (model
      name -> {mark, settled}; data_quality.tested_marks says why): `loaded_at` null or after
      the mark, or equal to it when the mark is not settled or the model holds nothing newer;
      a model without a mark keeps every row.

    A uniqueness test (`unique`, `unique_combination_of_columns`) keeps every row sharing its key
    with such a row, so a new row colliding with an untouched one is still found (keys are
    compared with `in`: a null key part matches nothing, so these keys are tested not null); a
    row-level test (not null, accepted values, an expression, a relationship from this model)
    judges each row alone, and rows outside the scope passed when last tested. Any other
    `where` is dbt's own. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__new_rows__' in where -%}
        {%- set where = where | replace('__new_rows__', new_rows_condition(relation)) -%}
    {%- endif -%}
    {%- if where and '__written_since_tested__' in where -%}
        {%- set where = where | replace(
            '__written_since_tested__', written_since_tested_condition(relation)
        ) -%}
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
        {{- rows_or_their_keys(relation, new_rows) -}}
    {%- endif -%}
{%- endmacro %}

{#- The condition `__written_since_tested__` stands for (see get_where_subquery): `true`
    without a mark for the model in var `tested_marks`. -#}
{% macro written_since_tested_condition(relation) -%}
    {%- set tested = (build_value('tested_marks') or {}).get(relation.identifier) -%}
    {%- if tested is none -%}
        {{- 'true' -}}
    {%- else -%}
        {%- set mark -%}
            cast('{{ tested["mark"] | replace("'", "''") }}' as {{ dbt.type_timestamp() }})
        {%- endset -%}
        {%- set written -%}
            (loaded_at is null or loaded_at > {{ mark }}
            {%- if tested["settled"] %}
            or (loaded_at = {{ mark }} and (select max(loaded_at) from {{ relation }}) = {{ mark }}))
            {%- else %}
            or loaded_at = {{ mark }})
            {%- endif %}
        {%- endset -%}
        {{- rows_or_their_keys(relation, written) -}}
    {%- endif -%}
{%- endmacro %}

{#- `rows` (a condition on the tested model's rows), or for a uniqueness test the rows whose
    key is the key of such a row. -#}
{% macro rows_or_their_keys(relation, rows) -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set kwargs = test.get('kwargs', {}) -%}
    {%- if test.get('name') == 'unique' -%}
        {%- set key = kwargs.get('column_name') -%}
        {{- key }} in (select {{ key }} from {{ relation }} where {{ rows }})
    {%- elif test.get('name') == 'unique_combination_of_columns' -%}
        {%- set key = '(' ~ (kwargs.get('combination_of_columns') | join(', ')) ~ ')' -%}
        {{- key }} in (select {{ key[1:-1] }} from {{ relation }} where {{ rows }})
    {%- else -%}
        {{- rows -}}
    {%- endif -%}
{%- endmacro %}
