-- Broken and partially kept promises with no contact on the case since their window ended
-- (marts.fct_promises.follow_up_at is null: the follow-up rule of marts.fct_stuck_cases, rule
-- broken_promise_no_follow_up, here per promise, without its threshold and for closed cases
-- too), with days_since_window_end as the mart publishes it (to the build's as-of date).
-- stage_now: the stage of the case's running stay, null when the case is closed.
-- Parameters: agent, agent, team, team, segment, segment, due month ('YYYY-MM'), due month
-- ('all' is every one). Longest without follow-up first.
with promises as (
    select *
    from marts.fct_promises
    where
        outcome in ('broken', 'partially_kept')
        and (? = 'all' or agent_id = ?)
        and (? = 'all' or team = ?)
        and (? = 'all' or segment = ?)
        and (? = 'all' or strftime(due_month, '%Y-%m') = ?)
),

running_stays as (
    select
        case_id,
        stage
    from marts.fct_case_stage_durations
    where is_open_stay
),

final as (
    select
        promises.promise_id,
        promises.case_id,
        promises.agent_id,
        promises.team,
        promises.segment,
        promises.strategy,
        promises.outcome,
        promises.promised_date,
        promises.window_end_date,
        promises.days_since_window_end,
        promises.promised_amount,
        promises.paid_amount,
        promises.currency,
        promises.promised_amount_rc,
        promises.paid_amount_rc,
        running_stays.stage as stage_now
    from promises
    left join running_stays
        on promises.case_id = running_stays.case_id
    where promises.follow_up_at is null
)

select * from final
order by days_since_window_end desc, promise_id asc
