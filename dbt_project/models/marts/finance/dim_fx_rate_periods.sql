{#- The rate to the reporting currency in force on any date, as periods (the rule of
    fx_rates_on_dates: the latest rate_date on or before the date): one row per currency and
    rate_date, valid from rate_date (included) to the currency's next rate_date (excluded;
    null for the latest). The reporting currency has one row: rate 1, a null rate_date, valid
    from 0001-01-01 (always; its own rates are ignored). A date before a currency's first rate
    has no row: readers left join and keep the null visible. Lets a reader convert a balance
    at a date that is not an ageing snapshot (the dashboards' ageing at any date). -#}
with

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

foreign_rates as (

    select
        currency,
        rate_date,
        rate_date as valid_from,
        lead(rate_date) over (partition by currency order by rate_date) as valid_to,
        rate_to_reporting
    from fx_rates
    where currency <> {{ reporting_currency() }}

),

reporting_rate as (

    select
        {{ reporting_currency() }} as currency,
        cast(null as date) as rate_date,
        cast('0001-01-01' as date) as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(24, 10)) as rate_to_reporting

),

final as (

    select
        currency,
        cast(rate_date as date) as rate_date,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(rate_to_reporting as decimal(24, 10)) as rate_to_reporting
    from foreign_rates

    union all

    select * from reporting_rate

)

select * from final
