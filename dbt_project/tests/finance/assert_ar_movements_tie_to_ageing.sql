{{ config(meta={'dagster': {'ref': {'name': 'fct_ar_movements'}}}) }}

{#- The ageing waterfall adds up: per snapshot and segment, Σ closing_amount_rc of
    fct_ar_movements equals fct_ar_ageing's total at that snapshot, and Σ opening_amount_rc
    equals its total at the previous snapshot (0 before the first). Returns what does not tie. -#}
with

movements as (

    select * from {{ ref('fct_ar_movements') }}

),

ageing as (

    select * from {{ ref('fct_ar_ageing') }}

),

ageing_totals as (

    select
        snapshot_date,
        coalesce(segment, 'unknown') as segment,
        sum(open_amount_rc) as open_amount_rc
    from ageing
    group by snapshot_date, coalesce(segment, 'unknown')

),

movement_totals as (

    select
        snapshot_date,
        previous_snapshot_date,
        coalesce(segment, 'unknown') as segment,
        sum(opening_amount_rc) as opening_amount_rc,
        sum(closing_amount_rc) as closing_amount_rc
    from movements
    group by snapshot_date, previous_snapshot_date, coalesce(segment, 'unknown')

),

final as (

    select
        coalesce(movement_totals.snapshot_date, ageing_totals.snapshot_date) as snapshot_date,
        coalesce(movement_totals.segment, ageing_totals.segment) as segment,
        movement_totals.opening_amount_rc,
        previous_totals.open_amount_rc as previous_ageing_amount_rc,
        movement_totals.closing_amount_rc,
        ageing_totals.open_amount_rc as ageing_amount_rc
    from movement_totals
    full outer join ageing_totals
        on
            movement_totals.snapshot_date = ageing_totals.snapshot_date
            and movement_totals.segment = ageing_totals.segment
    left join ageing_totals as previous_totals
        on
            movement_totals.previous_snapshot_date = previous_totals.snapshot_date
            and movement_totals.segment = previous_totals.segment
    where
        coalesce(movement_totals.closing_amount_rc, 0) <> coalesce(ageing_totals.open_amount_rc, 0)
        or coalesce(movement_totals.opening_amount_rc, 0)
        <> coalesce(previous_totals.open_amount_rc, 0)

)

select * from final
