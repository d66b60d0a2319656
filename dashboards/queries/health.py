"""Data health page's queries: build runs, check results, source freshness, quarantine and the
score models (the pipeline's own records, not marts)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from amicable.scores import store
from amicable.scores.spec import SCORES
from dashboards.queries.core import (
    WarehouseNotBuilt,
    _check_choice,
    _check_limit,
    _execute,
    _first_line,
    _frame,
    connect_read_only,
)

CHECK_STATUSES: tuple[str, ...] = ("all", "fail", "warn", "skipped", "pass")


def health_runs(warehouse: Path | str, limit: int = 20) -> pd.DataFrame:
    """The latest `limit` build runs, newest first: files and rows loaded, checks by status.

    The data health page reads the pipeline's own records (`raw._loads`, `raw.quarantine`,
    `quality.*`), not marts: they are written during the build, after dbt.
    """
    return _frame(warehouse, "health_runs", (limit,))


def health_checks(warehouse: Path | str, run_id: str, status: str) -> pd.DataFrame:
    """Check results of one run (`status` 'all' for every one), failures first."""
    _check_choice("status", status, CHECK_STATUSES)
    return _frame(warehouse, "health_checks", (run_id, status, status))


def health_freshness(warehouse: Path | str, run_id: str) -> pd.DataFrame:
    """Freshness of each source as evaluated by one run, stale sources first."""
    return _frame(warehouse, "health_freshness", (run_id,))


def health_quarantine_summary(warehouse: Path | str) -> pd.DataFrame:
    """Quarantined rows per source table and reason, over every load."""
    return _frame(warehouse, "health_quarantine_summary", ())


def health_quarantine_rows(
    warehouse: Path | str, source_table: str, limit: int | None = None
) -> pd.DataFrame:
    """Rejected rows of one source table ('all': every table), newest first, at most `limit`
    (None: every one)."""
    _check_limit(limit)
    return _frame(warehouse, "health_quarantine_rows", (source_table, source_table, limit))


SCORE_MODEL_COLUMNS = (  # health_score_models'
    "score",
    "in_use",
    "status",
    "model_version",
    "trained_at",
    "model_kind",
    "calibration",
    "trained_on",
    "train_from",
    "train_to",
    "test_from",
    "test_to",
    "history_to",
    "age_days",
    "train_rows",
    "test_rows",
    "test_auc",
    "test_brier",
    "model_file",
)


def health_score_models(warehouse: Path | str) -> pd.DataFrame:
    """One row per score (`amicable.scores.spec.SCORES`): whether its latest model is used at
    the warehouse's as-of date and why not, in one line (`amicable.scores.store.status`, the
    rule the scoring itself follows), and that model's registry row (`scores.models`): version,
    training time and windows, held-out metrics, and its age (days from the end of its
    training history to the as-of date). The registry columns are empty for a score never
    trained."""
    rows = []
    with connect_read_only(warehouse) as connection:
        try:
            as_of = store.as_of(connection)
        except duckdb.CatalogException as error:
            raise WarehouseNotBuilt(warehouse, f"marts.dim_build: {_first_line(error)}") from error
        has_models = _execute(connection, warehouse, "health_has_score_models", ()).fetchone()[0]
        for spec in SCORES.values():
            model = store.status(connection, spec, as_of)
            row = {
                "score": spec.name,
                "in_use": model.usable,
                "status": model.message,
                "trained_on": spec.rows,
            }
            if has_models:
                latest = _execute(connection, warehouse, "health_score_models", (spec.name,))
                names = [column[0] for column in latest.description]
                found = latest.fetchone()
                if found is not None:
                    row |= dict(zip(names, found, strict=True))
                    row["age_days"] = model.age_days  # the rule the scoring follows
            rows.append(row)
    return pd.DataFrame(rows, columns=SCORE_MODEL_COLUMNS)


def last_build_problems(warehouse: Path | str) -> tuple[int, int]:
    """(failed checks, checks not run) of the latest build; (0, 0) before any check ran."""
    row = _frame(warehouse, "last_build_problems", ()).iloc[0]
    return int(row["checks_failed"]), int(row["checks_not_run"])
