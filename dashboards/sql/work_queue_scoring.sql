-- One scoring run of one score (scores.case_scores; the latest:
-- amicable.scores.store.latest_run) and the model that made it (scores.models): its version,
-- windows and held-out metrics; no row for a run of no rows.
-- Parameters: score, run_id, score.
with latest as (
    select
        case_scores.model_version,
        case_scores.as_of,
        count(*) as cases_scored,
        max(case_scores.scored_at) as scored_at
    from scores.case_scores as case_scores
    where case_scores.score = ? and case_scores.run_id = ?
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
