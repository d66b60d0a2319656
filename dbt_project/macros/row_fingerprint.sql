{#- A 64-bit hash of a row's `columns` (a list of column expressions), for comparing groups of
    rows cheaply (count and sum of fingerprints per group): equal rows hash equal, and a group
    whose rows changed changes its sum but for a 2^-64 chance. A prefilter, never the proof:
    the rows of a group whose sum differs are then compared column by column. -#}
{% macro row_fingerprint(columns) -%}
    {{ return(adapter.dispatch('row_fingerprint', 'amicable')(columns)) }}
{%- endmacro %}

{#- DuckDB: hash() of the values (a UBIGINT; its sum is a HUGEINT, no overflow). -#}
{% macro default__row_fingerprint(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- PostgreSQL: the row's text form (nulls and empty strings told apart), hashed to a bigint
    (summed as numeric). -#}
{% macro postgres__row_fingerprint(columns) -%}
    hashtextextended(cast(row({{ columns | join(', ') }}) as text), 0)
{%- endmacro %}

{#- Spark: xxhash64 of the values, as a decimal so that sums do not wrap. -#}
{% macro spark__row_fingerprint(columns) -%}
    cast(xxhash64({{ columns | join(', ') }}) as decimal(20, 0))
{%- endmacro %}
