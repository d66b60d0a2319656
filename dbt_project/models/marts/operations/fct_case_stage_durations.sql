{#- Time spent in each stage, one row per stay of a case in a stage (int_ops_case_stays;
    closed periods are not stages and are left out). A stay still running at as_of is counted
    to the end of as_of (the next day 00:00 UTC): the build holds the events of the whole as_of
    day, so a stay entered that day has run for part of it, never a negative time:
      duration_days = (coalesce(left_at, as_of + 1 day 00:00) - entered_at) in seconds / 86400.
-#}
with

stays as (

    select * from {{ ref('int_ops_case_stays') }}
    where state <> 'closed'

),

status as (

    select * from {{ ref('int_ops_case_status') }}

),

agents as (

    select * from {{ ref('stg_cases__agents') }}

),

measured as (

    select
        stays.*,
        coalesce(
            stays.left_at,
            cast({{ dbt.dateadd('day', 1, as_of_date()) }} as {{ dbt.type_timestamp() }})
        ) as measured_to
    from stays

),

final as (

    select
        measured.case_id,
        cast(measured.stay_number as integer) as stay_number,
        measured.state as stage,
        measured.entered_at,
        measured.left_at,
        measured.next_state as next_stage,
        case when measured.left_at is null then true else false end as is_open_stay,
        cast(
            {{ dbt.datediff('measured.entered_at', 'measured.measured_to', 'second') }} / 86400.0
            as decimal(18, 4)
        ) as duration_days,
        measured.entered_by,
        status.strategy,
        status.segment,
        status.owner_agent_id,
        agents.team as owner_team
    from measured
    inner join status
        on measured.case_id = status.case_id
    left join agents
        on status.owner_agent_id = agents.agent_id

)

select * from final
