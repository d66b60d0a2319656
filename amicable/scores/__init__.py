"""Calibrated case scores (issue 19): point-in-time features (`int_case_score_features`, read by
the training tables `marts.fct_case_score_features` and `marts.fct_promise_score_features`),
a scikit-learn model per score chosen by measurement and calibrated on a later slice of history,
stored beside the warehouse with its row in `scores.models`, and every open case scored at the
build's as-of date into `scores.case_scores` with its three main reasons in plain words.

Modules: `spec` (what each score predicts and from which features), `training` (time split,
choice, calibration, metrics), `explain` (per-case reasons), `store` (model files, the
registry, staleness, the scores table)."""
