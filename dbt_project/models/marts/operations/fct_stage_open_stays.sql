{#- The stays running at as_of per stage (DESIGN.md §4 "Case flow", time in stage), for each
    cell of the stage-flow page's filters (segment, strategy, owner_team: a value or `all`):
    how many, and the median days so far (continuous percentile of fct_case_stage_durations'
    duration_days, counted to the end of as_of). They belong to no period of months. -#}
with

stays as (

    select * from {{ ref('fct_case_stage_durations') }}
    where is_open_stay

),

cells as (

    {{ with_filter_totals(
        'stays', ['segment', 'strategy', 'owner_team'], ['case_id', 'stage', 'duration_days']
    ) }}

),

final as (

    select
        segment,
        strategy,
        owner_team,
        stage,
        cast(count(*) as integer) as stays_running,
        cast({{ round_double(ops_percentile('duration_days', 0.5), 4) }} as decimal(18, 4))
            as median_running_days
    from cells
    group by segment, strategy, owner_team, stage

)

select * from final
