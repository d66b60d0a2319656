-- Time in stage per stage: stays that ended in a period of months (count, median, p90 days:
-- the to_stage 'all' rows of marts.fct_stage_flow_periods), and stays still running at as_of
-- (count, median days so far: marts.fct_stage_open_stays), for one filter cell.
-- Parameters: first month, last month (first days), segment, strategy, team, then segment,
-- strategy, team again ('all' is every one; team of the case's current owner).
with completed as (
    select
        from_stage as stage,
        transition_count as stays_completed,
        median_duration_days as median_days,
        p90_duration_days as p90_days
    from marts.fct_stage_flow_periods
    where
        first_month = ?
        and last_month = ?
        and segment = ?
        and strategy = ?
        and owner_team = ?
        and to_stage = 'all'
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
