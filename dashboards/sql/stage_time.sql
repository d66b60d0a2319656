-- Time in stage per stage: stays that ended in a period of months (count, median, p90 days,
-- computed from the ended stays of marts.fct_case_stage_durations: the time in stage before
-- every move out of it, as the stage flow), and stays still running at as_of (count, median
-- days so far: marts.fct_stage_open_stays), for one filter cell. A missing segment, strategy
-- or team reads 'unknown'.
-- Parameters: first month, last month (first days), segment, segment, strategy, strategy,
-- team, team, then segment, strategy, team ('all' is every one; team of the case's current
-- owner).
with ended as (
    select
        stage,
        date_diff('second', entered_at, left_at) / 86400.0 as duration_days
    from marts.fct_case_stage_durations
    where
        left_at is not null
        and cast(date_trunc('month', left_at) as date) between ? and ?
        and (? = 'all' or coalesce(segment, 'unknown') = ?)
        and (? = 'all' or coalesce(strategy, 'unknown') = ?)
        and (? = 'all' or coalesce(owner_team, 'unknown') = ?)
),

completed as (
    select
        stage,
        cast(count(*) as integer) as stays_completed,
        cast(round(quantile_cont(duration_days, 0.5), 4) as decimal(18, 4)) as median_days,
        cast(round(quantile_cont(duration_days, 0.9), 4) as decimal(18, 4)) as p90_days
    from ended
    group by stage
),

running as (
    select
        stage,
        stays_running,
        median_running_days
    from marts.fct_stage_open_stays
    where segment = ? and strategy = ? and owner_team = ?
),

final as (
    select
        coalesce(completed.stage, running.stage) as stage,
        coalesce(completed.stays_completed, 0) as stays_completed,
        completed.median_days,
        completed.p90_days,
        coalesce(running.stays_running, 0) as stays_running,
        running.median_running_days
    from completed
    full outer join running
        on completed.stage = running.stage
)

select * from final
order by median_days desc nulls last, stage asc
