{#- Case outcomes per cohort (month the case was opened) and strategy, plus strategy `all`
    (DESIGN.md §4 "Litigation referral"), as the cases stand at as_of:
      cases_closed                 cases whose current state is closed
      cases_referred               closed cases with a referred_to_litigation event (up to
                                   as_of): the numerator of the rate, a subset of cases_closed
      cases_referred_open          cases with a referral that are open at as_of (reopened, or
                                   not yet closed): counted apart, in no rate
      referral_rate                = cases_referred ÷ cases_closed (0-1)
      amicable_resolution_rate     = closed with reason paid_in_full or plan_completed ÷
                                     cases_closed
    Rates are null when no case of the cohort is closed. -#}
with

status as (

    select * from {{ ref('int_ops_case_status') }}

),

referred as (

    select distinct case_id
    from {{ ref('stg_cases__case_events') }}
    where
        event_type = 'referred_to_litigation'
        and cast(occurred_at as date) <= {{ as_of_date() }}

),

cases as (

    select
        cast({{ dbt.date_trunc('month', 'status.opened_at') }} as date) as cohort_month,
        status.strategy,
        status.is_open,
        status.close_reason,
        case when referred.case_id is not null then 1 else 0 end as is_referred
    from status
    left join referred
        on status.case_id = referred.case_id

),

by_strategy as (

    select
        cohort_month,
        coalesce(strategy, 'unknown') as strategy,
        is_open,
        close_reason,
        is_referred
    from cases

    union all

    select
        cohort_month,
        'all' as strategy,
        is_open,
        close_reason,
        is_referred
    from cases

),

aggregated as (

    select
        cohort_month,
        strategy,
        count(*) as cases_opened,
        sum(case when is_open then 1 else 0 end) as cases_open,
        sum(case when is_open then 0 else 1 end) as cases_closed,
        sum(case when not is_open then is_referred else 0 end) as cases_referred,
        sum(case when is_open then is_referred else 0 end) as cases_referred_open,
        sum(
            case
                when not is_open and close_reason in ('paid_in_full', 'plan_completed') then 1
                else 0
            end
        ) as cases_resolved_amicably,
        sum(case when not is_open and close_reason = 'settled' then 1 else 0 end)
            as cases_settled,
        sum(case when not is_open and close_reason = 'written_off' then 1 else 0 end)
            as cases_written_off
    from by_strategy
    group by cohort_month, strategy

),

final as (

    select
        cohort_month,
        strategy,
        cast(cases_opened as integer) as cases_opened,
        cast(cases_open as integer) as cases_open,
        cast(cases_closed as integer) as cases_closed,
        cast(cases_referred as integer) as cases_referred,
        cast(cases_referred_open as integer) as cases_referred_open,
        cast(cases_resolved_amicably as integer) as cases_resolved_amicably,
        cast(cases_settled as integer) as cases_settled,
        cast(cases_written_off as integer) as cases_written_off,
        cast(
            {{ finance_round_ratio('cases_referred', 'cases_closed', 4) }} as decimal(9, 4)
        ) as referral_rate,
        cast(
            {{ finance_round_ratio('cases_resolved_amicably', 'cases_closed', 4) }} as decimal(9, 4)
        ) as amicable_resolution_rate
    from aggregated

)

select * from final
