"""quality.check_results: append-only rows, one per evaluation, with failing keys as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from data_quality.results import CheckRecord, append, append_with_retry


def _record(status: str = "fail") -> CheckRecord:
    return CheckRecord(
        check_name="raw_erp_invoices_suite",
        asset="raw/erp_invoices",
        status=status,
        blocking=True,
        failing_count=2,
        failing_keys=("INV-1 (a.csv:1)", "INV-1 (a.csv:2)"),
        description="duplicate key",
    )


def test_records_are_appended_across_runs_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    append_with_retry(lambda: duckdb.connect(str(path)), [_record()], "run-1")
    append_with_retry(lambda: duckdb.connect(str(path)), [_record("pass")], "run-2")
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select run_id, status, failing_count, failing_keys from quality.check_results"
            " order by run_id"
        ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("run-1", "fail", 2), ("run-2", "pass", 2)]
    assert json.loads(rows[0][3]) == ["INV-1 (a.csv:1)", "INV-1 (a.csv:2)"]


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        _record("ok")


def test_a_lock_held_elsewhere_is_retried_then_reported(tmp_path: Path) -> None:
    calls: list[int] = []

    def locked() -> duckdb.DuckDBPyConnection:
        calls.append(1)
        raise duckdb.IOException("Could not set lock on file")

    with pytest.raises(duckdb.IOException):
        append_with_retry(locked, [_record()], "run-1", attempts=3, pause_seconds=0)
    assert len(calls) == 3


def test_append_creates_the_quality_schema(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        append(con, [_record()], "run-1")
        assert con.execute("select count(*) from quality.check_results").fetchall() == [(1,)]
