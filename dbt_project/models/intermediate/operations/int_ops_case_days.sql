{#- One row per case and UTC calendar day on which the case is open at the end of the day, with
    the agent owning it then (latest assignment that day). A case is open from its opening day
    until the day before it is closed, and again from the day it is reopened. Days run over a
    fixed horizon before as_of (no data-dependent query at compile time). -#}
{%- set max_history_days = 3660 -%}

with

status as (

    select * from {{ ref('int_ops_case_status') }}

),

closed_periods as (

    select
        case_id,
        cast(entered_at as date) as closed_from_date,
        cast(left_at as date) as reopened_date
    from {{ ref('int_ops_case_stays') }}
    where state = 'closed'

),

owners as (

    select * from {{ ref('int_ops_case_owners') }}

),

day_offsets as (

    {{ dbt.generate_series(max_history_days) }}

),

days as (

    select
        cast({{ dbt.dateadd('day', '1 - generated_number', as_of_date()) }} as date) as day
    from day_offsets

),

case_days as (

    select
        status.case_id,
        status.debtor_id,
        days.day
    from status
    inner join days
        on days.day >= cast(status.opened_at as date)
    where not exists (
        select 1
        from closed_periods
        where
            closed_periods.case_id = status.case_id
            and closed_periods.closed_from_date <= days.day
            and (closed_periods.reopened_date is null or closed_periods.reopened_date > days.day)
    )

),

owned as (

    select
        case_days.case_id,
        case_days.debtor_id,
        case_days.day,
        owners.agent_id,
        row_number() over (
            partition by case_days.case_id, case_days.day
            order by owners.owned_from desc
        ) as owner_rank
    from case_days
    left join owners
        on
            case_days.case_id = owners.case_id
            and cast(owners.owned_from as date) <= case_days.day
            and (owners.owned_to is null or cast(owners.owned_to as date) > case_days.day)

),

final as (

    select
        case_id,
        debtor_id,
        day,
        agent_id
    from owned
    where owner_rank = 1

)

select * from final
