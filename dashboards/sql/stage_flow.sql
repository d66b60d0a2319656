-- Directly-follows graph of the stages for the moves made in a month range, one segment, one
-- strategy and one team (of the case's current owner): the figures of marts.fct_stage_transitions (same duration, same continuous
-- percentiles), on that mart's row-level source marts.fct_case_stage_durations, which carries
-- the move date, segment and strategy. Reopenings (closed -> stage) are not stays: left out.
-- Parameters: from month, to month ('YYYY-MM', both included), segment, segment, strategy,
-- strategy, team, team ('all' is every one).
with moves as (
    select
        case_id,
        stage as from_stage,
        next_stage as to_stage,
        date_diff('second', entered_at, left_at) / 86400.0 as duration_days
    from marts.fct_case_stage_durations
    where
        left_at is not null
        and strftime(left_at, '%Y-%m') between ? and ?
        and (? = 'all' or segment = ?)
        and (? = 'all' or strategy = ?)
        and (? = 'all' or owner_team = ?)
),

final as (
    select
        from_stage,
        to_stage,
        cast(count(*) as integer) as transition_count,
        cast(count(distinct case_id) as integer) as case_count,
        round(quantile_cont(duration_days, 0.5), 4) as median_duration_days,
        round(quantile_cont(duration_days, 0.9), 4) as p90_duration_days,
        round(avg(duration_days), 4) as mean_duration_days
    from moves
    group by from_stage, to_stage
)

select * from final
order by median_duration_days desc, from_stage asc, to_stage asc
