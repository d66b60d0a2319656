{#- The rate to the reporting currency in force on any date, as periods: the one home of the
    rule "the rate of the latest rate_date on or before the date". From `fx_rates` (a relation
    or CTE with the columns of stg_fx__rates): one row per currency and rate_date, valid from
    rate_date (included) to the currency's next rate_date (excluded; null for the latest). The
    reporting currency has one row: rate 1, a null rate_date (no conversion), valid from
    0001-01-01 (always; its own rates are ignored). A date before a currency's first rate
    falls in no period. Read by dim_fx_rate_periods and fx_rates_on_dates. -#}
{% macro fx_rate_periods(fx_rates) -%}
    select
        currency,
        cast(rate_date as date) as rate_date,
        cast(rate_date as date) as valid_from,
        cast(lead(rate_date) over (partition by currency order by rate_date) as date)
            as valid_to,
        cast(rate_to_reporting as decimal(24, 10)) as rate_to_reporting
    from {{ fx_rates }}
    where currency <> {{ reporting_currency() }} and rate_date is not null

    union all

    select
        {{ reporting_currency() }} as currency,
        cast(null as date) as rate_date,
        cast('0001-01-01' as date) as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(24, 10)) as rate_to_reporting
{%- endmacro %}
