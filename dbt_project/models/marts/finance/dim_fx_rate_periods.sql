{#- The rate to the reporting currency in force on any date, as periods (macro
    fx_rate_periods, the one home of the rule the marts apply at their dates through
    fx_rates_on_dates): one row per currency and rate_date, valid from rate_date (included) to
    the currency's next rate_date (excluded; null for the latest); the reporting currency has
    one row, rate 1 from 0001-01-01. Lets a reader convert a balance at a date that is not an
    ageing snapshot (the dashboards' ageing at any date). -#}
with

fx_rates as (

    select * from {{ ref('stg_fx__rates') }}

),

final as (

    {{ fx_rate_periods('fx_rates') }}

)

select * from final
