{#- The rate to the reporting currency in force on each date: for every date of `dates` (a
    relation or CTE name, column `date_column`) and every currency, the rate of the latest
    `rate_date` on or before that date in `fx_rates` (columns of stg_fx__rates). The reporting
    currency itself gets rate 1 and a null rate_date (no conversion). A currency with no rate
    on or before a date has no row: callers left join and keep the null visible. -#}
{% macro fx_rates_on_dates(dates, date_column, fx_rates) -%}
    select
        {{ date_column }},
        currency,
        rate_date,
        rate_to_reporting
    from (
        select
            dates.{{ date_column }},
            fx_rates.currency,
            fx_rates.rate_date,
            fx_rates.rate_to_reporting,
            row_number() over (
                partition by dates.{{ date_column }}, fx_rates.currency
                order by fx_rates.rate_date desc
            ) as rate_rank
        from {{ dates }} as dates
        inner join {{ fx_rates }} as fx_rates
            on fx_rates.rate_date <= dates.{{ date_column }}
        where fx_rates.currency <> {{ reporting_currency() }}
    ) as ranked_rates
    where rate_rank = 1

    union all

    select
        dates.{{ date_column }},
        {{ reporting_currency() }} as currency,
        cast(null as date) as rate_date,
        cast(1 as decimal(24, 10)) as rate_to_reporting
    from {{ dates }} as dates
{%- endmacro %}
