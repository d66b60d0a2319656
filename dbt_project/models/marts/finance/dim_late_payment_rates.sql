{#- The late-payment interest rate of each half-year (1 January to 30 June, 1 July to
    31 December) from the half-year of the earliest invoice to the as-of date's, under the
    creditor's pack (macro late_payment_pack; config/late_payment/): the reference rate in
    force on the fixing date (the half-year's first day + fixing_offset_days: FR and the EU
    directive fix on 1 January / 1 July, the UK on 31 December / 30 June before), i.e. the
    latest change of config/late_payment/reference_rates.csv on or before it, plus the pack's
    margin. interest_rate_pct is null when the table has no rate on or before the fixing
    date. -#}
{%- set pack = late_payment_pack() %}
with

months as (

    select * from {{ ref('int_finance_months') }}

),

rate_changes as (

    {%- for effective_from, rate_pct in pack['rates'] %}

    select
        cast('{{ effective_from }}' as date) as effective_from,
        cast({{ rate_pct }} as decimal(9, 4)) as reference_rate_pct
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

half_years as (

    select distinct
        cast(
            {{ dbt.dateadd(
                'month', '-((extract(month from month_start) - 1) % 6)', 'month_start'
            ) }} as date
        ) as period_start
    from months

),

fixed as (

    select
        period_start,
        cast(
            {{ dbt.dateadd('day', '-1', dbt.dateadd('month', '6', 'period_start')) }} as date
        ) as period_end,
        cast(
            {{ dbt.dateadd('day', pack['fixing_offset_days'] | string, 'period_start') }} as date
        ) as fixing_date
    from half_years

),

in_force as (

    select
        fixed.period_start,
        max(rate_changes.effective_from) as reference_rate_since
    from fixed
    left join rate_changes on fixed.fixing_date >= rate_changes.effective_from
    group by fixed.period_start

),

final as (

    select
        fixed.period_start,
        fixed.period_end,
        fixed.fixing_date,
        cast('{{ pack["pack"] }}' as {{ dbt.type_string() }}) as pack,
        cast('{{ pack["reference_rate"] }}' as {{ dbt.type_string() }}) as reference_rate,
        in_force.reference_rate_since,
        rate_changes.reference_rate_pct,
        cast({{ pack['margin_points'] }} as decimal(9, 4)) as margin_points,
        cast(
            rate_changes.reference_rate_pct + {{ pack['margin_points'] }} as decimal(9, 4)
        ) as interest_rate_pct
    from fixed
    inner join in_force on fixed.period_start = in_force.period_start
    left join rate_changes on in_force.reference_rate_since = rate_changes.effective_from

)

select * from final
