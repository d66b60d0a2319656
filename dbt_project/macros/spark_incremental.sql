{#- Spark: the project's incremental strategy, delete+insert by `unique_key`, on plain Parquet
    tables (issue 16). Parquet tables take neither DELETE nor MERGE (those need Delta Lake or
    Iceberg, neither installed here), so a daily build writes the model's batch (its query, the
    rows the new data restates) as a table, then the table as it must become (the held rows
    whose key the batch does not hold, and the batch) under another name, and swaps the two
    (drop, rename). Reading the held table while writing another keeps Spark from overwriting
    a path it reads. A first build, `--full-refresh`, or a table missing (a swap stopped between
    its drop and its rename) builds the table whole from the query, which is then not
    incremental (`is_incremental()` is false), as on DuckDB and PostgreSQL.

    The restatement scopes a daily query reads in several places are work tables too, written
    when the model is compiled (staged_cte) and dropped here once the table is written.

    The delete hooks (remove_withdrawn_rows, remove_records_out_of_scope and
    remove_restated_case_days) delete the same way: spark_delete_where. The swap is not atomic
    for readers of the table; a Spark warehouse is written by dbt in place
    (orchestration/spark_build.py). A batch whose columns differ from the table's stops the
    model (`on_schema_change: fail`): the build's fingerprint changes with the models, so the
    next build is a full refresh. -#}
{% materialization incremental, adapter='spark', supported_languages=['sql'] -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set strategy = config.get('incremental_strategy') -%}
    {%- if strategy != 'delete+insert' -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": on Spark only delete+insert is implemented, not " ~ strategy
        ) }}
    {%- endif -%}
    {%- set batch = spark_work_relation('__dbt_batch') -%}
    {%- set swapped = spark_work_relation('__dbt_new') -%}
    {#- the work tables of a build stopped half way -#}
    {%- for suffix in ['__dbt_batch', '__dbt_new', '__dbt_kept'] -%}
        {%- do adapter.drop_relation(spark_work_relation(suffix)) -%}
    {%- endfor -%}
    {{ run_hooks(pre_hooks) }}
    {%- if existing is none or should_full_refresh() %}
        {%- if existing is not none %}
            {%- do adapter.drop_relation(existing) -%}
        {%- endif %}
        {%- call statement('main') -%}
            {{ create_table_as(False, target_relation, compiled_code) }}
        {%- endcall -%}
    {%- else %}
        {%- call statement('batch') -%}
            {{ spark_create_parquet_table(batch, compiled_code, contract=true) }}
        {%- endcall -%}
        {%- set columns = spark_same_columns(batch, target_relation) -%}
        {%- set batch_rows = run_query('select count(*) from ' ~ batch).columns[0].values()[0] -%}
        {%- if batch_rows > 0 %}
            {%- call statement('main') -%}
                {{ spark_create_parquet_table(
                    swapped, spark_replaced_by_key(target_relation, batch, columns)
                ) }}
            {%- endcall -%}
            {%- do adapter.drop_relation(target_relation) -%}
            {%- do adapter.rename_relation(swapped, target_relation) -%}
        {%- else %}
            {%- call statement('main') -%}
                select 0
            {%- endcall -%}
        {%- endif %}
        {%- do adapter.drop_relation(batch) -%}
    {%- endif %}
    {#- the staged scopes (written at compile time), on a full refresh too: one a failed or
        stopped build left -#}
    {%- for staged in spark_staged_tables() -%}
        {%- do adapter.drop_relation(staged) -%}
    {%- endfor -%}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}

{#- The model's work table `this` + `suffix` (a Parquet table beside it). -#}
{% macro spark_work_relation(suffix) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ suffix}, type='table')) }}
{%- endmacro %}

{#- `create table` of a work table as `sql`, in the model's file format, without its
    location or partitioning (which name the model's own table); with `contract`, the model's
    contract, when enforced, checked on `sql` as dbt-spark checks it on a full build. -#}
{% macro spark_create_parquet_table(relation, sql, contract=false) -%}
    {%- if contract and config.get('contract').enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
        {%- set sql = get_select_subquery(sql) -%}
    {%- endif %}
    create table {{ relation }}
    {{ file_format_clause() }}
    as
    {{ sql }}
{%- endmacro %}

{#- The names of `target`'s columns, once `batch` is found to have the same ones with the same
    types (in any order); a compiler error naming both otherwise. -#}
{% macro spark_same_columns(batch, target) -%}
    {%- set held = adapter.get_columns_in_relation(target) -%}
    {%- set new = adapter.get_columns_in_relation(batch) -%}
    {%- set described = {'held': [], 'new': []} -%}
    {%- for side, columns in [('held', held), ('new', new)] -%}
        {%- for column in columns -%}
            {%- do described[side].append(column.name | lower ~ ' ' ~ column.data_type | lower) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if (described['held'] | sort) != (described['new'] | sort) -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": the model's columns " ~ described['new'] ~ " are not the table's "
            ~ described['held'] ~ ": build with --full-refresh"
        ) }}
    {%- endif -%}
    {{ return(held | map(attribute='name') | list) }}
{%- endmacro %}

{#- delete+insert by the model's unique_key as one select: `target`'s rows whose key `batch`
    does not hold, and `batch`'s rows (a null key part matches nothing, as in a delete). -#}
{% macro spark_replaced_by_key(target, batch, columns) -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- if not keys -%}
        {{ exceptions.raise_compiler_error(model.name ~ ": an incremental model needs a unique_key") }}
    {%- endif %}
    select {{ columns | join(', ') }}
    from {{ target }} as held
    where not exists (
        select 1
        from {{ batch }} as batch
        where
            {%- for key in keys %}
            {% if not loop.first %}and {% endif %}batch.{{ key }} = held.{{ key }}
            {%- endfor %}
    )
    union all
    select {{ columns | join(', ') }}
    from {{ batch }}
{%- endmacro %}

{#- Spark's DELETE FROM `this` (alias `held`) WHERE `condition`, for the delete hooks: the
    rows where `condition` is not true are written to a table beside it, which replaces it;
    nothing is written when no row matches. Run by the hook (returns no SQL; nothing at parse
    time). -#}
{% macro spark_delete_where(condition) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set matched -%}
        select count(*) from {{ target }} as held where {{ condition }}
    {%- endset -%}
    {%- if run_query(matched).columns[0].values()[0] > 0 %}
        {%- set kept = spark_work_relation('__dbt_kept') -%}
        {%- do adapter.drop_relation(kept) -%}
        {%- set rows_kept -%}
            select held.* from {{ target }} as held where not coalesce({{ condition }}, false)
        {%- endset -%}
        {%- call statement('delete_where') -%}
            {{ spark_create_parquet_table(kept, rows_kept) }}
        {%- endcall -%}
        {%- do adapter.drop_relation(target) -%}
        {%- do adapter.rename_relation(kept, target) -%}
    {%- endif %}
{%- endmacro %}
