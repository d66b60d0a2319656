{{ config(meta={'dagster': {'ref': {'name': 'fct_debtor_exposure'}}}) }}

{#- Exposure adds up to the ageing: per debtor, open_amount_rc and overdue_amount_rc of
    fct_debtor_exposure equal the debtor's fct_ar_ageing items at the as-of snapshot, and
    open_amount_month_end_rc its items at the last month end before the as-of month (0 for a
    debtor with no item there; null when an item has no reporting-currency amount), and every
    debtor with open items has an exposure row. Returns the debtors that do not tie. -#}
with

exposure as (

    select * from {{ ref('fct_debtor_exposure') }}

),

ageing as (

    select
        debtor_id,
        snapshot_date = {{ as_of_date() }} as is_as_of,
        case when count(*) = count(open_amount_rc) then sum(open_amount_rc) end as open_rc,
        case
            when count(*) = count(open_amount_rc)
                then sum(case when days_past_due > 0 then open_amount_rc else 0 end)
        end as overdue_rc
    from {{ ref('fct_ar_ageing') }}
    where
        snapshot_date in (
            {{ as_of_date() }},
            {{ dbt.last_day(dbt.dateadd('month', '-1', as_of_date()), 'month') }}
        )
    group by debtor_id, snapshot_date = {{ as_of_date() }}

),

debtors as (

    select debtor_id from exposure
    union
    select debtor_id from ageing

)

select
    debtors.debtor_id,
    exposure.open_amount_rc,
    as_of.open_rc as ageing_open_rc,
    exposure.overdue_amount_rc,
    as_of.overdue_rc as ageing_overdue_rc,
    exposure.open_amount_month_end_rc,
    month_end.open_rc as ageing_month_end_rc
from debtors
left join exposure on debtors.debtor_id = exposure.debtor_id
left join ageing as as_of on debtors.debtor_id = as_of.debtor_id and as_of.is_as_of
left join ageing as month_end on debtors.debtor_id = month_end.debtor_id and not month_end.is_as_of
where
    exposure.debtor_id is null
    or exposure.open_amount_rc is distinct from coalesce(as_of.open_rc, case when as_of.debtor_id is null then 0 end)
    or exposure.overdue_amount_rc
    is distinct from coalesce(as_of.overdue_rc, case when as_of.debtor_id is null then 0 end)
    or exposure.open_amount_month_end_rc
    is distinct from coalesce(month_end.open_rc, case when month_end.debtor_id is null then 0 end)
