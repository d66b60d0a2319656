-- The latest trained model's version of one score (scores.models), usable or not.
-- Parameters: score.
select arg_max(models.version, models.trained_at) as model_version
from scores.models as models
where models.score = ?
