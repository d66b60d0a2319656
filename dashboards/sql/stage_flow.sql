-- Directly-follows graph of the stages for the moves made in a period of months, one segment,
-- one strategy and one team (of the case's current owner), computed from the moves themselves
-- (percentiles do not add up across months or cells, so every figure is computed here on the
-- period's own moves). A move is an ended stay (ended_stays.sql): from_stage its stage,
-- to_stage its next stage; reopenings (closed -> stage) are not stays: left out. Duration:
-- the stay's duration_seconds / 86400, as marts.fct_stage_transitions.
-- Parameters: those of ended_stays.sql (first month, last month (first days), segment,
-- segment, strategy, strategy, team, team; 'all' is every one).
-- with: ended_stays
with moves as (
    select
        case_id,
        stage as from_stage,
        next_stage as to_stage,
        duration_seconds,
        duration_days
    from ended_stays
),

figures as (
    select
        from_stage,
        to_stage,
        cast(count(*) as integer) as transition_count,
        cast(count(distinct case_id) as integer) as case_count,
        cast(round(quantile_cont(duration_days, 0.5), 4) as decimal(18, 4))
            as median_duration_days,
        cast(round(quantile_cont(duration_days, 0.9), 4) as decimal(18, 4))
            as p90_duration_days,
        cast(round(sum(duration_seconds) / (count(*) * 86400.0), 4) as decimal(18, 4))
            as mean_duration_days
    from moves
    group by from_stage, to_stage
)

select * from figures
order by median_duration_days desc, from_stage asc, to_stage asc
