{#- The states a case goes through, one row per stay (DESIGN.md §4 "Case flow"). A stay starts
    with an event and lasts until the next such event; each state is the one its event names,
    so every move between two stays is an event of the case:
      stage_changed   the stage of the event;
      closed          state `closed` (a closed case has no stage);
      reopened        state `reopened`: the case is open again but no event has set its stage
                      yet; the next stage_changed event moves it on (closed -> reopened ->
                      stage). A reopened case does not silently resume the stage it had.
    Events after as_of are ignored; a stay with no next event is still running (left_at null).
    Ties on the same timestamp keep event_id order. The stay's duration, the one rule every
    reader of time in a stage or before a move uses (fct_case_stage_durations,
    fct_stage_transitions, the stage-flow pages through the first):
      duration_seconds = coalesce(left_at, as_of + 1 day 00:00) - entered_at, in seconds;
    a running stay counts to the end of as_of: the build holds the events of the whole as_of
    day, so a stay entered that day has run for part of it, never a negative time. -#}
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

stays as (

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

),

measured as (

    select
        *,
        coalesce(
            left_at,
            cast({{ dbt.dateadd('day', 1, as_of_date()) }} as {{ dbt.type_timestamp() }})
        ) as measured_to
    from stays

),

final as (

    select
        case_id,
        stay_number,
        entered_by_event_id,
        entered_by,
        state,
        close_reason,
        entered_at,
        left_at,
        next_state,
        is_current,
        cast(
            {{ dbt.datediff('entered_at', 'measured_to', 'second') }} as {{ dbt.type_bigint() }}
        ) as duration_seconds
    from measured

)

select * from final
