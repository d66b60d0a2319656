{#- Fails on every row where one of `columns` lies below `min_value` or above `max_value`
    (each bound optional; `inclusive: false` leaves the bounds out). A null passes: an
    undefined figure is null (DESIGN.md §4), and a column that must be set has its own
    not_null test or constraint. -#}
{% test columns_in_range(model, columns, min_value=none, max_value=none, inclusive=true) %}

{%- set below = '<' if inclusive else '<=' -%}
{%- set above = '>' if inclusive else '>=' %}

select *
from {{ model }}
where false
{%- for column in columns %}
    {%- if min_value is not none %}
    or {{ column }} {{ below }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
    or {{ column }} {{ above }} {{ max_value }}
    {%- endif %}
{%- endfor %}

{% endtest %}
