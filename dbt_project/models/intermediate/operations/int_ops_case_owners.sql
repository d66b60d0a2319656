{#- Who owns each case when: one row per ownership period. A case belongs to the agent of its
    latest `assigned` event at or before a moment; before its first `assigned` event (or
    without any), to the agent of the case record. Periods of zero length (an assignment at
    the opening moment) are dropped. owned_to is null for the current owner. -#}
with

cases as (

    select * from {{ ref('stg_cases__cases') }}

),

assignments as (

    select * from {{ ref('stg_cases__case_events') }}
    where
        event_type = 'assigned'
        and assigned_agent_id is not null
        and cast(occurred_at as date) <= {{ as_of_date() }}

),

changes as (

    select
        case_id,
        agent_id,
        opened_at as changed_at,
        0 as priority,
        cast(null as {{ dbt.type_string() }}) as event_id
    from cases
    where agent_id is not null

    union all

    select
        case_id,
        assigned_agent_id as agent_id,
        occurred_at as changed_at,
        1 as priority,
        event_id
    from assignments

),

periods as (

    select
        case_id,
        agent_id,
        event_id as assigned_by_event_id,
        changed_at as owned_from,
        lead(changed_at) over (
            partition by case_id order by changed_at, priority, event_id
        ) as owned_to
    from changes

),

final as (

    select
        case_id,
        agent_id,
        assigned_by_event_id,
        owned_from,
        owned_to,
        case when owned_to is null then true else false end as is_current_owner
    from periods
    where owned_to is null or owned_to > owned_from

)

select * from final
