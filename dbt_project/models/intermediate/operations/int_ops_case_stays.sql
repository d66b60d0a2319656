{#- The states a case goes through, one row per stay (DESIGN.md §4 "Case flow"). A stay starts
    with an event and lasts until the next such event; each state is the one its event names,
    so every move between two stays is an event of the case:
      stage_changed   the stage of the event;
      closed          state `closed` (a closed case has no stage);
      reopened        state `reopened`: the case is open again but no event has set its stage
                      yet; the next stage_changed event moves it on (closed -> reopened ->
                      stage). A reopened case does not silently resume the stage it had.
    Events after as_of are ignored; a stay with no next event is still running (left_at null).
    Ties on the same timestamp keep event_id order. -#}
with

events as (

    select * from {{ ref('stg_cases__case_events') }}
    where
        event_type in ('stage_changed', 'closed', 'reopened')
        and cast(occurred_at as date) <= {{ as_of_date() }}

),

states as (

    select
        event_id,
        case_id,
        row_number() over (
            partition by case_id order by occurred_at, event_id
        ) as stay_number,
        event_type as entered_by,
        case
            when event_type = 'stage_changed' then stage
            when event_type = 'closed' then 'closed'
            else 'reopened'
        end as state,
        case when event_type = 'closed' then reason end as close_reason,
        occurred_at as entered_at
    from events

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
