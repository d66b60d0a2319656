"""What the command line and the build call: train a score on the published warehouse, and
score every open case with each current model (a missing or stale one is one line, not used)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from amicable.scores import store
from amicable.scores.spec import PROMISES_TABLE, SCORES, ScoreSpec
from amicable.scores.training import Trained, train
from dashboards.postgres import Connection


def train_and_save(
    con: Connection, warehouse: Path, spec: ScoreSpec, seed: int = 7
) -> tuple[Trained, str]:
    trained = train(store.features(con, spec), spec, seed)
    return trained, store.save(trained, warehouse, con)


def trained_line(trained: Trained, version: str) -> str:
    s, m = trained.slices, trained.metrics
    window = "{} to {}".format
    baselines = ", ".join(
        f"{name} {m[name]['auc']:.3f}" for name in m if name not in ("model", "test")
    )
    return (
        f"score {trained.spec.name}: model {version}, {trained.kind.replace('_', ' ')} "
        f"calibrated ({trained.method}); trained on {window(*s.window('train'))} "
        f"({len(s.train)} rows), calibrated on {window(*s.window('calibration'))} "
        f"({len(s.calibration)}), tested on {window(*s.window('test'))} ({len(s.test)}): "
        f"ROC AUC {m['model']['auc']:.3f} (baselines: {baselines}), Brier "
        f"{m['model']['brier']:.3f}"
    )


CASES_SCORED = "open cases scored"
PROMISES_SCORED = "pending promises scored, each from its promise eve"


@dataclass(frozen=True)
class Scoring:
    """One score in a scoring run: the line to print, and whether its model scored."""

    score: str
    line: str
    scored: bool


def score_all(con: Connection, run_id: str | None = None) -> list[Scoring]:
    """Score with every current model: the open cases (a score trained on cases) or the pending
    promises (one trained on promises, `store.score`); one `Scoring` per score. A run without
    the build's id gets its own, unique even for two runs in the same second (the latest
    run's rows are those of one id: two runs under one id would list a row twice)."""
    run_id = run_id or f"scores-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid4().hex[:8]}"
    day = store.as_of(con)
    results = []
    for spec in SCORES.values():
        model = store.status(con, spec, day)
        if not model.usable:
            results.append(Scoring(spec.name, model.message, False))
            continue
        cases, promises = store.score(con, model, run_id)
        scored = (
            f"{promises} {PROMISES_SCORED}"
            if spec.table == PROMISES_TABLE
            else (f"{cases} {CASES_SCORED}")
        )
        results.append(Scoring(spec.name, f"{model.message}: {scored} as of {day}", True))
    return results
