{#- The period of `balance_periods` (a CTE over marts.fct_ar_balance_periods) containing each
    date of `dates` (valid_from included, valid_to excluded, null = open-ended) where
    `condition` (SQL over the period's columns, e.g. `open_amount > 0`) holds: the date column,
    then every column of the period. With `keys` (columns of both, e.g. ['debtor_id']), a date
    takes only the periods with its own key values (a debtor's invoices on the dates that
    debtor is scored) instead of every period on every date. The one home of "the balance on a date", for the open items on the ageing
    snapshot dates, the DSO balances and the score features. -#}
{% macro balance_periods_on(dates, date_column, condition, keys=[]) -%}
    select
        {{ dates }}.{{ date_column }},
        balance_periods.*
    from balance_periods
    inner join {{ dates }}
        on
            {{ dates }}.{{ date_column }} >= balance_periods.valid_from
            and {{ dates }}.{{ date_column }}
            < coalesce(balance_periods.valid_to, cast('9999-12-31' as date))
            {%- for key in keys %}
            and {{ dates }}.{{ key }} = balance_periods.{{ key }}
            {%- endfor %}
    where ({{ condition }})
{%- endmacro %}
