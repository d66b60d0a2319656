-- What happened by segment and by jurisdiction (marts.dim_cases), for the work queue's
-- fairness note: the share of labelled case-months (marts.fct_case_score_features, the
-- 30-day window closed) whose case was paid within 30 days, and the kept rate of decided
-- promises (marts.fct_promises: kept / (kept + partially kept + broken), the rule of
-- marts.fct_promise_kept_rates). A case without a jurisdiction is in '(none)'.
-- Counted per case first, then summed per group: joining the case-months (1M at `xl`) to
-- each grouping took a third more time.
with case_outcomes as (
    select
        case_id,
        count(*) as case_months_labelled,
        sum(case when paid_within_30_days then 1 else 0 end) as paid
    from marts.fct_case_score_features
    where paid_within_30_days is not null
    group by case_id
),

case_promises as (
    select
        case_id,
        count(*) as promises_decided,
        sum(case when outcome = 'kept' then 1 else 0 end) as kept
    from marts.fct_promises
    where outcome != 'pending'
    group by case_id
),

per_case as (
    select
        cases.segment,
        coalesce(cases.jurisdiction, '(none)') as jurisdiction,
        case_outcomes.case_months_labelled,
        case_outcomes.paid,
        case_promises.promises_decided,
        case_promises.kept
    from marts.dim_cases as cases
    left join case_outcomes on cases.case_id = case_outcomes.case_id
    left join case_promises on cases.case_id = case_promises.case_id
),

by_group as (
    select
        'segment' as dimension,
        segment as dimension_value,
        sum(case_months_labelled) as case_months_labelled,
        sum(paid) as paid,
        sum(promises_decided) as promises_decided,
        sum(kept) as kept
    from per_case
    group by segment
    union all
    select
        'jurisdiction' as dimension,
        jurisdiction as dimension_value,
        sum(case_months_labelled) as case_months_labelled,
        sum(paid) as paid,
        sum(promises_decided) as promises_decided,
        sum(kept) as kept
    from per_case
    group by jurisdiction
)

select
    dimension,
    dimension_value,
    cast(case_months_labelled as bigint) as case_months_labelled,
    cast(paid as double) / case_months_labelled as paid_rate,
    cast(promises_decided as bigint) as promises_decided,
    cast(kept as double) / promises_decided as kept_rate
from by_group
order by dimension desc, dimension_value asc
