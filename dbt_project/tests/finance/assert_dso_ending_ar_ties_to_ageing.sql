{{ config(meta={'dagster': {'ref': {'name': 'fct_dso'}}}) }}

{#- Ending and current AR of fct_dso (segment all, monthly) equal fct_ar_ageing's totals at the
    same date (every month end and as_of): the two marts share the open-amount rule and the
    fx rate of the balance date. Returns the months that do not tie. -#}
with

dso as (

    select * from {{ ref('fct_dso') }}

),

ageing as (

    select * from {{ ref('fct_ar_ageing') }}

),

ageing_totals as (

    select
        snapshot_date,
        sum(open_amount_rc) as open_amount_rc,
        sum(case when ageing_bucket = 'current' then open_amount_rc else 0 end)
            as current_amount_rc
    from ageing
    group by snapshot_date

),

final as (

    select
        dso.month,
        dso.ending_ar_rc,
        dso.current_ar_rc,
        ageing_totals.open_amount_rc,
        ageing_totals.current_amount_rc
    from dso
    left join ageing_totals
        on dso.period_end_date = ageing_totals.snapshot_date
    where
        dso.segment = 'all'
        and dso.period_months = 1
        and (
            coalesce(ageing_totals.open_amount_rc, 0) <> dso.ending_ar_rc
            or coalesce(ageing_totals.current_amount_rc, 0) <> dso.current_ar_rc
        )

)

select * from final
