{#- Directly-follows graph of the case flow (the bottleneck view, DESIGN.md §4 "Case flow"):
    one row per (from_stage, to_stage) observed, `closed` included on both sides (a reopened
    case goes from closed back to a stage). duration = days spent in from_stage before the
    move (int_ops_case_stays' duration_seconds / 86400; closed stays are not in
    fct_case_stage_durations, hence the stays themselves); the median and 90th percentile are
    continuous percentiles (macro ops_percentile); the mean is the exact total of seconds ÷
    (moves × 86400), so it does not depend on the order of a floating-point sum (as the
    stage-flow page's figures of a period, dashboards/sql/stage_flow.sql). -#}
with

stays as (

    select * from {{ ref('int_ops_case_stays') }}
    where left_at is not null

),

moves as (

    select
        case_id,
        state as from_stage,
        next_state as to_stage,
        duration_seconds,
        duration_seconds / 86400.0 as duration_days
    from stays

),

final as (

    select
        from_stage,
        to_stage,
        cast(count(*) as integer) as transition_count,
        cast(count(distinct case_id) as integer) as case_count,
        cast({{ round_double(ops_percentile('duration_days', 0.5), 4) }} as decimal(18, 4))
            as median_duration_days,
        cast({{ round_double(ops_percentile('duration_days', 0.9), 4) }} as decimal(18, 4))
            as p90_duration_days,
        cast(
            {{ round_double('sum(duration_seconds) / (count(*) * 86400.0)', 4) }}
            as decimal(18, 4)
        ) as mean_duration_days
    from moves
    group by from_stage, to_stage

)

select * from final
