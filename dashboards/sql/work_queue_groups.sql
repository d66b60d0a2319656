-- What happened by segment and by jurisdiction (marts.dim_cases), for the work queue's
-- fairness note: the share of labelled case-months (marts.fct_case_score_features, the
-- 30-day window closed) whose case was paid within 30 days, and the kept rate of decided
-- promises (marts.fct_promises: kept / (kept + partially kept + broken), the rule of
-- marts.fct_promise_kept_rates). A case without a jurisdiction is in '(none)'.
with groups as (
    select
        'segment' as dimension,
        case_id,
        segment as dimension_value
    from marts.dim_cases
    union all
    select
        'jurisdiction' as dimension,
        case_id,
        coalesce(jurisdiction, '(none)') as dimension_value
    from marts.dim_cases
),

outcomes as (
    select
        groups.dimension,
        groups.dimension_value,
        count(*) as case_months_labelled,
        avg(case when features.paid_within_30_days then 1.0 else 0.0 end) as paid_rate
    from marts.fct_case_score_features as features
    inner join groups on features.case_id = groups.case_id
    where features.paid_within_30_days is not null
    group by groups.dimension, groups.dimension_value
),

promises as (
    select
        groups.dimension,
        groups.dimension_value,
        count(*) as promises_decided,
        avg(case when promises.outcome = 'kept' then 1.0 else 0.0 end) as kept_rate
    from marts.fct_promises as promises
    inner join groups on promises.case_id = groups.case_id
    where promises.outcome != 'pending'
    group by groups.dimension, groups.dimension_value
),

every_group as (
    select distinct
        dimension,
        dimension_value
    from groups
),

final as (
    select
        every_group.dimension,
        every_group.dimension_value,
        outcomes.case_months_labelled,
        outcomes.paid_rate,
        promises.promises_decided,
        promises.kept_rate
    from every_group
    left join outcomes
        on
            every_group.dimension = outcomes.dimension
            and every_group.dimension_value = outcomes.dimension_value
    left join promises
        on
            every_group.dimension = promises.dimension
            and every_group.dimension_value = promises.dimension_value
)

select * from final
order by dimension desc, dimension_value asc
