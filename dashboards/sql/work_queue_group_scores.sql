-- The mean probability of the latest scoring run of one score (scores.case_scores) by segment
-- and by jurisdiction (marts.dim_cases; '(none)' without one), beside work_queue_groups.
-- Parameters: score, score.
with last_run as (
    select arg_max(run_id, scored_at) as run_id
    from scores.case_scores
    where score = ?
),

latest as (
    select
        case_scores.case_id,
        case_scores.probability
    from scores.case_scores as case_scores
    inner join last_run on case_scores.run_id = last_run.run_id
    where case_scores.score = ?
),

groups as (
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
)

select
    groups.dimension,
    groups.dimension_value,
    count(*) as cases_scored,
    avg(latest.probability) as mean_score
from latest
inner join groups on latest.case_id = groups.case_id
group by groups.dimension, groups.dimension_value
