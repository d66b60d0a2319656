{#- The period of `balance_periods` (a CTE over marts.fct_ar_balance_periods) containing each
    date of `dates` (valid_from included, valid_to excluded, null = open-ended) where
    `amount_column` is above zero: the date column, then every column of the period. The one
    home of "the balance on a date", for the ageing, the unapplied credit and the DSO balances. -#}
{% macro balance_periods_on(dates, date_column, amount_column) -%}
    select
        {{ dates }}.{{ date_column }},
        balance_periods.*
    from balance_periods
    inner join {{ dates }}
        on
            {{ dates }}.{{ date_column }} >= balance_periods.valid_from
            and {{ dates }}.{{ date_column }}
            < coalesce(balance_periods.valid_to, cast('9999-12-31' as date))
    where balance_periods.{{ amount_column }} > 0
{%- endmacro %}
