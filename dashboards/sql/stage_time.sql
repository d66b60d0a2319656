-- Time in stage per stage: stays that ended in a period of months (count, median, p90 days,
-- computed from the ended stays (ended_stays.sql): the time in stage before every move out of
-- it, as the stage flow), and stays still running at as_of (count, median days so far:
-- marts.fct_stage_open_stays), for one filter cell.
-- Parameters: those of ended_stays.sql (first month, last month (first days), segment,
-- segment, strategy, strategy, team, team), then segment, strategy, team ('all' is every one;
-- team of the case's current owner).
-- with: ended_stays
with completed as (
    select
        stage,
        cast(count(*) as integer) as stays_completed,
        cast(round(quantile_cont(duration_days, 0.5), 4) as decimal(18, 4)) as median_days,
        cast(round(quantile_cont(duration_days, 0.9), 4) as decimal(18, 4)) as p90_days
    from ended_stays
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
