"""The uniqueness tests of the incremental models that stamp their rows with `loaded_at` read,
on a daily build, the rows written since the model's tests last passed (var `tested_marks`,
macros/get_where_subquery.sql) and every row sharing a key with one: a new row colliding with
an old one is found, an old duplicate (which passed when last tested) is not read, a row
without `loaded_at` always is; without a mark for the model every row is read."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.dbt_project.raw_fixture import dbt_vars, run_dbt

TEST = "unique_combination_of_columns_int_ops_case_days_case_id__day"
MARK = "2026-03-03T03:00:00"


def _warehouse(tmp_path: Path) -> Path:
    """intermediate.int_ops_case_days as no correct build leaves it, by hand: only the columns
    the test reads."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_ops_case_days"
            " (case_id varchar, day date, loaded_at timestamp)"
        )
        con.execute(
            "insert into intermediate.int_ops_case_days values"
            # an old duplicate: both rows written before the mark
            " ('C1', '2026-03-01', '2026-03-01 03:00'), ('C1', '2026-03-01', '2026-03-01 03:00'),"
            # a row written at the mark colliding with an old one
            " ('C2', '2026-03-02', '2026-03-02 03:00'), ('C2', '2026-03-02', '2026-03-03 03:00'),"
            # a row written after the mark, alone
            " ('C3', '2026-03-03', '2026-03-04 03:00'),"
            # rows without loaded_at (held back by a build that stopped before removing them)
            " ('C5', '2026-03-01', null), ('C5', '2026-03-01', null)"
        )
    return warehouse


def _failing_cases(tmp_path: Path, warehouse: Path, **variables: object) -> list[str]:
    args = ["test", "--select", TEST, "--vars", dbt_vars(as_of="2026-03-31", **variables)]
    run = run_dbt(args, warehouse, tmp_path / "dbt")
    assert run.statuses == {TEST: "fail"}, run.output[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(f"select case_id from test_failures.{TEST} order by 1").fetchall()
    return [case for (case,) in rows]


def test_a_daily_build_reads_the_rows_written_since_the_mark_and_their_keys(
    tmp_path: Path,
) -> None:
    warehouse = _warehouse(tmp_path)
    marks = {"int_ops_case_days": MARK, "fct_ar_ageing": "2026-03-05T00:00:00"}
    assert _failing_cases(tmp_path, warehouse, tested_marks=marks) == ["C2", "C5"]


def test_without_a_mark_for_the_model_every_row_is_read(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    other = {"fct_ar_ageing": MARK}
    assert _failing_cases(tmp_path, warehouse, tested_marks=other) == ["C1", "C2", "C5"]
