-- Time in stage per stage: stays that ended in a month range (count, median, p90 days, as the
-- stage flow), and stays still running at as_of (count, median days so far).
-- Parameters: segment, segment, strategy, strategy, team, team ('all' is every one; team of the
-- case's current owner), from month, to month ('YYYY-MM', both included).
with stays as (
    select
        stage,
        left_at,
        is_open_stay,
        duration_days,
        date_diff('second', entered_at, left_at) / 86400.0 as completed_days
    from marts.fct_case_stage_durations
    where
        (? = 'all' or segment = ?)
        and (? = 'all' or strategy = ?)
        and (? = 'all' or owner_team = ?)
),

completed as (
    select
        stage,
        count(*) as stays_completed,
        round(quantile_cont(completed_days, 0.5), 4) as median_days,
        round(quantile_cont(completed_days, 0.9), 4) as p90_days
    from stays
    where left_at is not null and strftime(left_at, '%Y-%m') between ? and ?
    group by stage
),

running as (
    select
        stage,
        count(*) as stays_running,
        round(quantile_cont(duration_days, 0.5), 4) as median_running_days
    from stays
    where is_open_stay
    group by stage
),

final as (
    select
        coalesce(completed.stage, running.stage) as stage,
        cast(coalesce(completed.stays_completed, 0) as integer) as stays_completed,
        completed.median_days,
        completed.p90_days,
        cast(coalesce(running.stays_running, 0) as integer) as stays_running,
        running.median_running_days
    from completed
    full outer join running
        on completed.stage = running.stage
)

select * from final
order by median_days desc nulls last, stage asc
