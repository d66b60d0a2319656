{#- The currencies a figure can be shown in: the reporting currency and every currency with an
    FX rate on or before as_of, with that rate (the latest on or before as_of). The dashboards'
    display-currency choice reads it: an amount of the reporting currency shown in `currency`
    is amount / rate_to_reporting (a convenience translation at one rate; ratios unchanged). -#}
with

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

rates as (

    {{ fx_rates_on_dates('as_of', 'as_of_date', 'fx_rates') }}

),

final as (

    select
        as_of_date,
        currency,
        currency = {{ reporting_currency() }} as is_reporting_currency,
        rate_date,
        rate_to_reporting,
        cast(1 / rate_to_reporting as decimal(24, 10)) as units_per_reporting_unit
    from rates

)

select * from final
