{#- Time spent in each stage, one row per stay of a case in a stage (int_ops_case_stays;
    closed periods are not stages and are left out). The stay's duration is int_ops_case_stays'
    duration_seconds (a stay still running at as_of is counted to the end of as_of, the next
    day 00:00 UTC), published as is (exact: the stage-flow pages' percentiles and means read
    it) and in days: duration_days = duration_seconds / 86400, 4 places.
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

final as (

    select
        stays.case_id,
        cast(stays.stay_number as integer) as stay_number,
        stays.state as stage,
        stays.entered_at,
        stays.left_at,
        stays.next_state as next_stage,
        case when stays.left_at is null then true else false end as is_open_stay,
        stays.duration_seconds,
        cast(stays.duration_seconds / 86400.0 as decimal(18, 4)) as duration_days,
        stays.entered_by,
        status.strategy,
        status.segment,
        status.owner_agent_id,
        agents.team as owner_team
    from stays
    inner join status
        on stays.case_id = status.case_id
    left join agents
        on status.owner_agent_id = agents.agent_id

)

select * from final
