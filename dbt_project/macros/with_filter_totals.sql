{#- Every row of `relation` once per cell of a page's filters: for each column of `dimensions`,
    either its own value or `all` (the total over every value), so one `group by` gives the
    figure of each cell, totals included (2^n copies of a row for n dimensions; a plain group
    by, because holistic aggregates such as percentiles are slow over grouping sets). A missing
    value reads `unknown`, a value of its own, never mixed up with the total. The columns of
    `carried` pass through unchanged. -#}
{% macro with_filter_totals(relation, dimensions, carried) -%}
    select
        {%- for column in carried %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        {%- for column in dimensions %}
        case
            when totals_{{ loop.index }}.is_total = 1 then 'all'
            else coalesce(cast({{ relation }}.{{ column }} as {{ dbt.type_string() }}), 'unknown')
        end as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- for column in dimensions %}
    cross join (select 0 as is_total union all select 1 as is_total) as totals_{{ loop.index }}
    {%- endfor %}
{%- endmacro %}
