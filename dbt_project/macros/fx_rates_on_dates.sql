{#- The rate to the reporting currency in force on each date: for every date of `dates` (a
    relation or CTE name, column `date_column`) and every currency, the period of
    fx_rate_periods(`fx_rates`) containing the date (valid_from included, valid_to excluded,
    null = open-ended): the rate of the latest rate_date on or before the date, rate 1 and a
    null rate_date for the reporting currency. A currency with no rate on or before a date has
    no row: callers left join and keep the null visible. -#}
{% macro fx_rates_on_dates(dates, date_column, fx_rates) -%}
    select
        dates.{{ date_column }},
        rate_periods.currency,
        rate_periods.rate_date,
        rate_periods.rate_to_reporting
    from {{ dates }} as dates
    inner join ({{ fx_rate_periods(fx_rates) }}) as rate_periods
        on
            dates.{{ date_column }} >= rate_periods.valid_from
            and dates.{{ date_column }}
            < coalesce(rate_periods.valid_to, cast('9999-12-31' as date))
{%- endmacro %}
