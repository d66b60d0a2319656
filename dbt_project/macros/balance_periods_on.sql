{#- The period of `balance_periods` (a CTE over marts.fct_ar_balance_periods) containing each
    date of `dates` (valid_from included, valid_to excluded, null = open-ended) where
    `condition` (SQL over the period's columns, e.g. `open_amount > 0`) holds: the date column,
    then every column of the period. The one home of "the balance on a date", for the open
    items on the ageing snapshot dates and the DSO balances. -#}
{% macro balance_periods_on(dates, date_column, condition) -%}
    select
        {{ dates }}.{{ date_column }},
        balance_periods.*
    from balance_periods
    inner join {{ dates }}
        on
            {{ dates }}.{{ date_column }} >= balance_periods.valid_from
            and {{ dates }}.{{ date_column }}
            < coalesce(balance_periods.valid_to, cast('9999-12-31' as date))
    where ({{ condition }})
{%- endmacro %}
