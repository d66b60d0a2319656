{#- Every column of `relation` read through `alias`, in the relation's order, except those named
    in `replacements` (column -> SQL expression), which take the expression instead: DuckDB's
    `alias.* replace (expression as column)`. PostgreSQL has no `replace` in a select list, so
    there the columns are listed from the relation. Dispatched (amicable namespace). -#}
{% macro star_replace(alias, relation, replacements) -%}
    {{ return(adapter.dispatch('star_replace', 'amicable')(alias, relation, replacements)) }}
{%- endmacro %}

{#- DuckDB (the default warehouse). -#}
{% macro default__star_replace(alias, relation, replacements) -%}
    {{ alias }}.* replace (
        {%- for column, expression in replacements.items() %}
        {{ expression }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- PostgreSQL: the columns listed from the relation, each cast to its type there (so a
    union with these rows keeps the table's numeric scales). In a unit test, `this` is the
    name of the CTE holding its fixture (its columns cannot be listed): the tested model's
    table is listed instead (the unit test carries the model's database and schema; the models have no alias,
    so its name is the table's), which must exist: a first build on PostgreSQL fails these
    unit tests, the next one passes (docs/postgres_progress.md). -#}
{% macro postgres__star_replace(alias, relation, replacements) -%}
    {%- if relation is string -%}
        {%- set name = model.tested_node_unique_id.split('.')[-1] -%}
        {%- set relation = adapter.get_relation(model.database, model.schema, name) -%}
        {%- if relation is none and execute -%}
            {{ exceptions.raise_compiler_error(
                'star_replace on PostgreSQL lists the columns of ' ~ model.schema ~ '.' ~ name
                ~ ' for this unit test of it, and that table does not exist yet: build it first'
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- for column in adapter.get_columns_in_relation(relation) %}
    {% if column.name in replacements -%}
        {{ replacements[column.name] }} as {{ adapter.quote(column.name) }}
    {%- else -%}
        cast({{ alias }}.{{ adapter.quote(column.name) }} as {{ column.data_type }})
        as {{ adapter.quote(column.name) }}
    {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
