"""Data health page's queries: build runs, check results, source freshness and quarantine
(the pipeline's own records, not marts)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboards.queries.core import _check_choice, _check_limit, _frame

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


def last_build_problems(warehouse: Path | str) -> tuple[int, int]:
    """(failed checks, checks not run) of the latest build; (0, 0) before any check ran."""
    row = _frame(warehouse, "last_build_problems", ()).iloc[0]
    return int(row["checks_failed"]), int(row["checks_not_run"])
