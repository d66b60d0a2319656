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
    name of the CTE holding its `this` fixture, whose columns dbt cannot list (the unit test's
    context has no graph, and the tested model's table need not exist yet: a first `dbt build`
    runs a model's unit tests before the model): there the unit test names the table's
    columns and types, in its order, in the var `unit_test_this_columns` (column -> type). -#}
{% macro postgres__star_replace(alias, relation, replacements) -%}
    {%- if relation is string -%}
        {%- set columns = var('unit_test_this_columns', none) -%}
        {%- if columns is none and execute -%}
            {{ exceptions.raise_compiler_error(
                'star_replace on PostgreSQL cannot list the columns of the `this` fixture ('
                ~ relation ~ ') of unit test ' ~ model.name ~ ': name them with their types,'
                ~ ' in the table\'s order, in its overrides: vars: unit_test_this_columns'
            ) }}
        {%- endif -%}
        {%- set listed = (columns or {}).items() -%}
    {%- else -%}
        {%- set listed = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do listed.append((column.name, column.data_type)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for name, data_type in listed %}
    {% if name in replacements -%}
        {{ replacements[name] }} as {{ adapter.quote(name) }}
    {%- else -%}
        cast({{ alias }}.{{ adapter.quote(name) }} as {{ data_type }}) as {{ adapter.quote(name) }}
    {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Spark: no `replace` in a select list either; the columns listed as on PostgreSQL. -#}
{% macro spark__star_replace(alias, relation, replacements) -%}
    {{ return(postgres__star_replace(alias, relation, replacements)) }}
{%- endmacro %}
