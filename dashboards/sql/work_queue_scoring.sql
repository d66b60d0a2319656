-- The latest scoring run of one score (scores.case_scores) and the model that made it
-- (scores.models): its version, windows and held-out metrics; no row before the first run.
-- Parameters: score, score, score.
with last_run as (
    select arg_max(run_id, scored_at) as run_id
    from scores.case_scores
    where score = ?
),

latest as (
    select
        case_scores.model_version,
        case_scores.as_of,
        count(*) as cases_scored,
        max(case_scores.scored_at) as scored_at
    from scores.case_scores as case_scores
    inner join last_run on case_scores.run_id = last_run.run_id
    where case_scores.score = ?
    group by case_scores.model_version, case_scores.as_of
)

select
    latest.model_version,
    latest.as_of,
    latest.cases_scored,
    latest.scored_at,
    models.model_kind,
    models.calibration,
    models.train_from,
    models.train_to,
    models.test_from,
    models.test_to,
    models.test_auc,
    models.test_brier
from latest
left join scores.models as models
    on models.score = ? and latest.model_version = models.version
