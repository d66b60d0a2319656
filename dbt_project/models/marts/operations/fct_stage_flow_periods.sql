{#- The stage flow of every period the stage-flow page offers (DESIGN.md §4 "Case flow"): for
    each period of consecutive months (first_month to last_month, both included, months in
    which a stay ended), each cell of the page's filters (segment, strategy, owner_team: a
    value or `all`) and each move from_stage -> to_stage made in the period, the move count,
    the cases making it, and the median, 90th percentile (continuous) and mean days spent in
    from_stage before the move; to_stage `all` is every move out of from_stage (the time in
    stage of the stays that ended in the period). A move is an ended stay of
    fct_case_stage_durations (closed periods are not stays, so a reopening closed -> stage is
    not a move): duration = (left_at - entered_at) in seconds / 86400, as fct_stage_transitions.
    Percentiles do not add up across months or cells, so each row is computed on its own moves
    (macro ops_period_figures).

    A table rebuilt whole by every build, not incremental: a move is filed under its case's
    current segment, strategy and owner team, so a daily file (a reassignment, a new strategy)
    re-files moves of every month, and a percentile cannot be updated, only recomputed over
    each period's moves. Its cost is one windowed pass over the moves (ops_period_figures).
    Incremental by period (restating every period that contains a month in which a move was
    added, removed or re-filed) was measured and does not pay: the window must still read every
    move of the history, one night of the 20k-debtor sample changes moves in 6 of 18 months
    (93 of 171 periods, the longest), and computing only those takes about 70 % of computing
    all (benchmarks/results/stage_flow_by_period.md). -#}
with

stays as (

    select * from {{ ref('fct_case_stage_durations') }}
    where left_at is not null

),

moves as (

    select
        case_id,
        stage as from_stage,
        next_stage as to_stage,
        cast({{ dbt.date_trunc('month', 'left_at') }} as date) as left_month,
        segment,
        strategy,
        owner_team,
        {{ dbt.datediff('entered_at', 'left_at', 'second') }} as duration_seconds,
        {{ dbt.datediff('entered_at', 'left_at', 'second') }} / 86400.0 as duration_days
    from stays

),

months as (

    select
        left_month as month,
        row_number() over (order by left_month) as month_number
    from (select distinct left_month from moves) as move_months

),

periods as (

    select
        first_months.month as first_month,
        first_months.month_number as first_number,
        last_months.month as last_month,
        last_months.month_number as last_number
    from months as first_months
    inner join months as last_months
        on first_months.month_number <= last_months.month_number

),

numbered_moves as (

    select
        moves.*,
        months.month_number
    from moves
    inner join months
        on moves.left_month = months.month

),

cells as (

    {{ with_filter_totals(
        'numbered_moves',
        ['segment', 'strategy', 'owner_team', 'to_stage'],
        ['case_id', 'month_number', 'from_stage', 'duration_days', 'duration_seconds']
    ) }}

),

figures as (

    {{ ops_period_figures(
        'cells', 'periods', ['segment', 'strategy', 'owner_team', 'from_stage', 'to_stage']
    ) }}

),

final as (

    select
        periods.first_month,
        periods.last_month,
        figures.segment,
        figures.strategy,
        figures.owner_team,
        figures.from_stage,
        figures.to_stage,
        cast(figures.moves as integer) as transition_count,
        cast(figures.cases as integer) as case_count,
        cast({{ round_double('figures.median_days', 4) }} as decimal(18, 4)) as median_duration_days,
        cast({{ round_double('figures.p90_days', 4) }} as decimal(18, 4)) as p90_duration_days,
        cast(
            {{ round_double('figures.total_seconds / (figures.moves * 86400.0)', 4) }}
            as decimal(18, 4)
        ) as mean_duration_days
    from figures
    inner join periods
        on
            figures.first_number = periods.first_number
            and figures.last_number = periods.last_number

)

select * from final
