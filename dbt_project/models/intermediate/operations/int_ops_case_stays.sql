{#- The states a case goes through, one row per stay (DESIGN.md §4 "Case flow"). A stay starts
    with a stage_changed event (its stage), a closed event (state `closed`) or a reopened event
    (a new stay of the stage the case had when it was closed: the case resumes where it
    stopped; `reopened` if it never had a stage), and lasts until the next such event. Events after as_of are ignored; a stay with
    no next event is still running (left_at null). Ties on the same timestamp keep event_id
    order. -#}
with

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where
        event_type in ('stage_changed', 'closed', 'reopened')
        and cast(occurred_at as date) <= {{ as_of_date() }}

),

ordered as (

    select
        event_id,
        case_id,
        occurred_at,
        event_type,
        stage,
        reason,
        row_number() over (
            partition by case_id order by occurred_at, event_id
        ) as stay_number,
        count(case when event_type = 'stage_changed' then 1 end) over (
            partition by case_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as stage_change_count
    from events

),

with_resumed_stage as (

    select
        ordered.*,
        {#- the latest stage set at or before this event (the stage a reopened case resumes) -#}
        max(case when event_type = 'stage_changed' then stage end) over (
            partition by case_id, stage_change_count
        ) as last_stage
    from ordered

),

states as (

    select
        event_id,
        case_id,
        stay_number,
        event_type as entered_by,
        case
            when event_type = 'stage_changed' then stage
            when event_type = 'closed' then 'closed'
            else coalesce(last_stage, 'reopened')
        end as state,
        case when event_type = 'closed' then reason end as close_reason,
        occurred_at as entered_at
    from with_resumed_stage

),

final as (

    select
        case_id,
        stay_number,
        event_id as entered_by_event_id,
        entered_by,
        state,
        close_reason,
        entered_at,
        lead(entered_at) over (partition by case_id order by stay_number) as left_at,
        lead(state) over (partition by case_id order by stay_number) as next_state,
        case
            when lead(entered_at) over (partition by case_id order by stay_number) is null
                then true
            else false
        end as is_current
    from states

)

select * from final
