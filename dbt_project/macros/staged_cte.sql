{#- A model's CTE that several parts of its query read and that must be computed once, such as
    the restatement scope of an incremental run: a call block named for the CTE around its
    query (`call staged_cte('restated_cases')`, the query, `endcall`).
    DuckDB and PostgreSQL: `restated_cases as materialized (...)`, the hint (materialized_cte).
    Spark has no such hint: it inlines a CTE wherever it is read, so a scope joined into each
    input it narrows was planned and run in every one of them (the tiny sample's daily batch
    of fct_case_file: 47-69 s; 2.6 s to write the scope and 3-4 s for the batch reading it).
    A cached temporary view does not help: Spark did not use its cache inside the model's
    query. There the query is written first, when the model is compiled, as a Parquet work
    table `<model>__dbt_<name>` (replacing one a stopped build left), which the CTE reads and
    the incremental materialization drops when the model is done (spark_staged_tables). On
    Spark the body is a query of its own: it must not read the model's other CTEs (a CTE
    inside it can be a materialized_cte), and it runs before the model's pre-hooks (a
    pre-hook that changes `this` would change the scope on Spark only). The names `batch`,
    `new` and `kept` are the materialization's own work tables. Dispatched per adapter. -#}
{% macro staged_cte(name) -%}
    {{ return(adapter.dispatch('staged_cte', 'amicable')(name, caller())) }}
{%- endmacro %}

{% macro default__staged_cte(name, body) -%}
    {{ name }} as {{ materialized_cte() }} (
        {{ body }}
    )
{%- endmacro %}

{% macro spark__staged_cte(name, body) -%}
    {%- if name in ['batch', 'new', 'kept'] -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ": staged_cte('" ~ name ~ "') names one of the incremental"
            ~ " materialization's work tables: choose another name"
        ) }}
    {%- endif -%}
    {%- set staged = spark_work_relation('__dbt_' ~ name) -%}
    {%- if execute -%}
        {%- do adapter.drop_relation(staged) -%}
        {%- do run_query(spark_create_parquet_table(staged, body)) -%}
    {%- endif -%}
    {{ name }} as (select * from {{ staged }})
{%- endmacro %}

{#- The work tables of the model's staged CTEs on Spark (spark__staged_cte), named in its
    code. -#}
{% macro spark_staged_tables() -%}
    {%- set names = modules.re.findall("staged_cte\\(\\s*'(\\w+)'", model.raw_code) -%}
    {%- set tables = [] -%}
    {%- for name in names | unique -%}
        {%- do tables.append(spark_work_relation('__dbt_' ~ name)) -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}
