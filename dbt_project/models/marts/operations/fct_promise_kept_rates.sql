{#- Kept rate of promises (DESIGN.md §4 "Promises") per month the promise fell due
    (due_month = month of promised_date) and per dimension value: dimension `agent`
    (agent_id), `team`, `segment`, `strategy`, and `all` (value `all`, every promise).
    Decided promises only (pending ones are left out):
      kept_rate_by_count  = kept ÷ (kept + partially_kept + broken)
      kept_rate_by_amount = promised_amount_rc of kept ÷ promised_amount_rc of decided
    Null when undefined (nothing decided, or an amount without a rate). Over several months
    or values a reader sums the counts and amounts and divides; promises_without_rate says
    when the amounts are partial (then the rate by amount is undefined). -#}
with

promises as (

    select * from {{ ref('fct_promises') }}
    where is_decided

),

by_dimension as (

    {%- for dimension, column in [
        ('agent', 'agent_id'),
        ('team', 'team'),
        ('segment', 'segment'),
        ('strategy', 'strategy'),
        ('all', "'all'"),
    ] %}
    select
        '{{ dimension }}' as dimension,
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'unknown') as dimension_value,
        due_month,
        outcome,
        promised_amount_rc
    from promises
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

aggregated as (

    select
        dimension,
        dimension_value,
        due_month,
        count(*) as promises_decided,
        sum(case when outcome = 'kept' then 1 else 0 end) as promises_kept,
        sum(case when outcome = 'partially_kept' then 1 else 0 end) as promises_partially_kept,
        sum(case when outcome = 'broken' then 1 else 0 end) as promises_broken,
        sum(promised_amount_rc) as promised_amount_rc,
        sum(case when outcome = 'kept' then promised_amount_rc else 0 end)
            as kept_promised_amount_rc,
        count(*) - count(promised_amount_rc) as promises_without_rate
    from by_dimension
    group by dimension, dimension_value, due_month

),

final as (

    select
        dimension,
        dimension_value,
        due_month,
        cast(promises_decided as integer) as promises_decided,
        cast(promises_kept as integer) as promises_kept,
        cast(promises_partially_kept as integer) as promises_partially_kept,
        cast(promises_broken as integer) as promises_broken,
        cast(
            {{ finance_round_ratio('promises_kept', 'promises_decided', 4) }} as decimal(9, 4)
        ) as kept_rate_by_count,
        cast(promised_amount_rc as decimal(18, 2)) as promised_amount_rc,
        cast(kept_promised_amount_rc as decimal(18, 2)) as kept_promised_amount_rc,
        cast(
            case
                when promises_without_rate = 0 and promised_amount_rc > 0
                    then {{ finance_round_ratio(
                        'kept_promised_amount_rc', 'promised_amount_rc', 4
                    ) }}
            end as decimal(9, 4)
        ) as kept_rate_by_amount,
        cast(promises_without_rate as integer) as promises_without_rate
    from aggregated

)

select * from final
