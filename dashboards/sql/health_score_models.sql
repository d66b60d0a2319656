-- The latest trained model of one score (scores.models), usable or not: its version, when it
-- was trained, its windows and held-out metrics; no row before its first training.
-- Parameters: score.
select
    models.version as model_version,
    models.trained_at,
    models.model_kind,
    models.calibration,
    models.train_from,
    models.train_to,
    models.test_from,
    models.test_to,
    models.history_to,
    models.train_rows,
    models.test_rows,
    models.test_auc,
    models.test_brier,
    models.model_file
from scores.models as models
where models.score = ?
order by models.trained_at desc, models.version desc
limit 1
