"""Train one score on closed history: a time-based split, a choice by measurement, calibration.

The labelled rows (label not null: its window closed by as_of) are split by scoring date, in
time order: the latest dates are the held-out test period; the calibration slice is the dates
just before it whose label window (horizon_days) ends on or before the test period's first
date; the training slice is the dates before those whose window ends on or before the
calibration slice's first date. So no label a model learns from was observed in a later slice
(the dates in a gap are left out); a spec with `label_known_on` also drops each row whose own
label is known after the next slice's first date. Both candidates (logistic regression, gradient
boosting) are fitted on the training slice and the one with the lower Brier score on the
calibration slice is kept (then the higher ROC AUC); it is calibrated on that slice (isotonic
from 1,000 rows, else sigmoid: Platt), its own parameters frozen, and measured once on the test
period, with the baselines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from amicable.scores.spec import ScoreSpec

TEST_SHARE = 0.2  # of the labelled scoring dates, the latest: the held-out test period
CALIBRATION_SHARE = 0.2  # the dates before them: the calibration slice
ISOTONIC_FROM_ROWS = 1_000  # below, sigmoid: measured better (scores_demo_2400_debtors*.md)
MIN_ROWS = 40  # per slice; fewer and nothing is trained
RELIABILITY_MIN_CASES = 30  # a decile with fewer cases is not judged on calibration
BASELINES = {
    "debtor's own paid-on-time share": "share_paid_by_due_date",
    "debtor's own kept rate": "debtor_kept_share",
    "days past due alone": "days_past_due",
}


class NotEnoughHistory(Exception):
    """Too few labelled rows or scoring dates to train and measure honestly."""


@dataclass
class Slices:
    train: pd.DataFrame
    calibration: pd.DataFrame
    test: pd.DataFrame

    def window(self, name: str) -> tuple[date, date]:
        dates = getattr(self, name)["scoring_date"]
        return dates.min(), dates.max()

    def known_to(self, spec: ScoreSpec) -> date:
        """The day the last label of the slices was known (its window closed): where the
        history a model saw ends (scores.models.history_to)."""
        rows = pd.concat([self.train, self.calibration, self.test])
        if spec.label_known_on:
            return max(pd.to_datetime(rows[spec.label_known_on]).dt.date)
        return max(rows["scoring_date"]) + timedelta(days=spec.horizon_days)


@dataclass
class Trained:
    spec: ScoreSpec
    model: CalibratedClassifierCV
    kind: str  # logistic_regression | gradient_boosting
    method: str  # isotonic | sigmoid
    slices: Slices
    reference: dict  # per feature, the training value a case's reasons compare against
    choice: dict  # per candidate, its Brier and AUC on the calibration slice
    metrics: dict = field(default_factory=dict)  # the test period's (model and baselines)
    reliability: pd.DataFrame | None = None

    @property
    def history_to(self) -> date:
        return self.slices.known_to(self.spec)


def split(frame: pd.DataFrame, spec: ScoreSpec) -> Slices:
    labelled = frame[frame[spec.label].notna()].copy()
    labelled["scoring_date"] = pd.to_datetime(labelled["scoring_date"]).dt.date
    if spec.label_known_on:
        known = pd.to_datetime(labelled[spec.label_known_on]).dt.date
    else:
        known = labelled["scoring_date"] + timedelta(days=spec.horizon_days)
    dates = sorted(labelled["scoring_date"].unique())
    if len(dates) < 3:
        raise NotEnoughHistory(
            f"{spec.name}: {len(dates)} scoring dates with a closed label "
            "window; at least 3 are needed (train, calibrate, test)"
        )
    n_test = max(1, round(len(dates) * TEST_SHARE))
    n_cal = max(1, round(len(dates) * CALIBRATION_SHARE))
    horizon = timedelta(days=spec.horizon_days)
    test_dates = dates[-n_test:]
    before_test = [d for d in dates[:-n_test] if d + horizon <= test_dates[0]]
    cal_dates = before_test[-n_cal:]
    train_dates = [d for d in before_test[:-n_cal] if cal_dates and d + horizon <= cal_dates[0]]
    if not train_dates:
        raise NotEnoughHistory(
            f"{spec.name}: {len(dates)} scoring dates with a closed label "
            f"window ({dates[0]} to {dates[-1]}); {len(before_test)} of them end their "
            f"{spec.horizon_days}-day window before the test period ({n_test} dates), too few "
            f"for a calibration slice of {n_cal} dates and a training slice before it"
        )
    on = labelled["scoring_date"]
    train = labelled[on.isin(train_dates) & (known <= cal_dates[0])]
    calibration = labelled[on.isin(cal_dates) & (known <= test_dates[0])]
    test = labelled[on.isin(test_dates)]
    slices = Slices(train, calibration, test)
    for name in ("train", "calibration", "test"):
        part = getattr(slices, name)
        if len(part) < MIN_ROWS or part[spec.label].nunique() < 2:
            positives = int(part[spec.label].astype(bool).sum())
            raise NotEnoughHistory(
                f"{spec.name}: its {name} slice has {len(part)} labelled "
                f"rows ({positives} positive, {len(part) - positives} negative); at least "
                f"{MIN_ROWS} with both outcomes are needed"
            )
    return slices


def matrix(frame: pd.DataFrame, spec: ScoreSpec) -> pd.DataFrame:
    """The model's input: numeric features as floats (flags 0/1, unknown NaN), categories as
    text."""
    out = pd.DataFrame(index=frame.index)
    for col in spec.numeric:
        out[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    for col in spec.categorical:
        out[col] = frame[col].astype("string").fillna("unknown").astype(object)
    return out


def _preprocess(spec: ScoreSpec) -> ColumnTransformer:
    numeric = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("log", FunctionTransformer(_signed_log1p)),
            ("scale", StandardScaler()),
        ]
    )
    categories = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer(
        [
            ("numeric", numeric, list(spec.numeric)),
            ("categories", categories, list(spec.categorical)),
        ]
    )


def _signed_log1p(x: np.ndarray) -> np.ndarray:
    """Amounts and counts span orders of magnitude: log scale keeps the logistic model sane."""
    return np.sign(x) * np.log1p(np.abs(x))


def candidates(spec: ScoreSpec, seed: int = 7) -> dict[str, Pipeline]:
    return {
        "logistic_regression": Pipeline(
            [("features", _preprocess(spec)), ("model", LogisticRegression(max_iter=2_000))]
        ),
        "gradient_boosting": Pipeline(
            [
                ("features", _preprocess(spec)),
                (
                    "model",
                    HistGradientBoostingClassifier(
                        max_depth=3, learning_rate=0.05, max_iter=200, random_state=seed
                    ),
                ),
            ]
        ),
    }


def train(frame: pd.DataFrame, spec: ScoreSpec, seed: int = 7) -> Trained:
    slices = split(frame, spec)
    x_train, y_train = matrix(slices.train, spec), slices.train[spec.label].astype(int)
    x_cal, y_cal = matrix(slices.calibration, spec), slices.calibration[spec.label].astype(int)
    choice: dict[str, dict] = {}
    fitted: dict[str, Pipeline] = {}
    for kind, pipeline in candidates(spec, seed).items():
        pipeline.fit(x_train, y_train)
        p = pipeline.predict_proba(x_cal)[:, 1]
        choice[kind] = {"brier": brier_score_loss(y_cal, p), "auc": roc_auc_score(y_cal, p)}
        fitted[kind] = pipeline
    kind = min(choice, key=lambda k: (round(choice[k]["brier"], 6), -choice[k]["auc"]))
    method = "isotonic" if len(x_cal) >= ISOTONIC_FROM_ROWS else "sigmoid"
    model = CalibratedClassifierCV(FrozenEstimator(fitted[kind]), method=method)
    model.fit(x_cal, y_cal)
    trained = Trained(spec, model, kind, method, slices, _reference(x_train, spec), choice)
    evaluate(trained)
    return trained


def _reference(x: pd.DataFrame, spec: ScoreSpec) -> dict:
    ref = {col: float(x[col].median()) for col in spec.numeric}
    ref |= {col: x[col].mode().iloc[0] for col in spec.categorical}
    for col in spec.numeric:
        if np.isnan(ref[col]):
            ref[col] = 0.0
    return ref


def evaluate(trained: Trained) -> None:
    """ROC AUC and Brier of the model and of each baseline on the test period, and the model's
    reliability per decile. A baseline is one feature made a probability by a logistic
    regression fitted on the training and calibration slices (unknown values: their median)."""
    spec, slices = trained.spec, trained.slices
    test = slices.test
    y = test[spec.label].astype(int).to_numpy()
    p = trained.model.predict_proba(matrix(test, spec))[:, 1]
    metrics = {"model": {"auc": roc_auc_score(y, p), "brier": brier_score_loss(y, p)}}
    fit_rows = pd.concat([slices.train, slices.calibration])
    for label, column in BASELINES.items():
        values = pd.to_numeric(fit_rows[column], errors="coerce").astype(float)
        fill = float(values.median()) if values.notna().any() else 0.0
        baseline = LogisticRegression().fit(
            values.fillna(fill).to_frame(), fit_rows[spec.label].astype(int)
        )
        x_test = pd.to_numeric(test[column], errors="coerce").astype(float).fillna(fill)
        q = baseline.predict_proba(x_test.to_frame())[:, 1]
        metrics[label] = {"auc": roc_auc_score(y, q), "brier": brier_score_loss(y, q)}
    metrics["test"] = {"rows": len(test), "positives": int(y.sum()), "base_rate": float(y.mean())}
    trained.metrics = metrics
    trained.reliability = reliability(y, p)


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Per decile of the predicted probability (equal counts, ties kept together): cases, mean
    predicted, observed rate, their gap in points, and whether the decile has enough cases to
    be judged (RELIABILITY_MIN_CASES)."""
    frame = pd.DataFrame({"y": y, "p": p})
    frame["decile"] = pd.qcut(frame["p"].rank(method="first"), bins, labels=False) + 1
    table = frame.groupby("decile").agg(
        cases=("y", "size"), predicted=("p", "mean"), observed=("y", "mean")
    )
    table["gap_points"] = (table["observed"] - table["predicted"]) * 100
    table["judged"] = table["cases"] >= RELIABILITY_MIN_CASES
    return table.reset_index()
