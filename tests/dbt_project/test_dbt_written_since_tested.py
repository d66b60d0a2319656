"""The uniqueness tests of the incremental models that stamp their rows with `loaded_at` read,
on a daily build, the rows written since the model's tests last passed (var `tested_marks`,
macros/get_where_subquery.sql) and every row sharing a key with one: a new row colliding with
an old one is found, an old duplicate (which passed when last tested) is not read, a row
without `loaded_at` always is; a model without a mark has every row read."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.dbt_project.raw_fixture import dbt_vars, run_dbt

CASE_DAYS = "unique_combination_of_columns_int_ops_case_days_case_id__day"
BALANCES = "unique_combination_of_columns_int_finance_ar_balances_balance_date__invoice_id"
MARK = "2026-03-03T03:00:00"
# The same rows in both models, by hand, as no correct build leaves them: (key, day, loaded_at).
ROWS = """
    ('K1', '2026-03-01', '2026-03-01 03:00'), ('K1', '2026-03-01', '2026-03-01 03:00'),
    ('K2', '2026-03-02', '2026-03-02 03:00'), ('K2', '2026-03-02', '2026-03-03 03:00'),
    ('K3', '2026-03-03', '2026-03-04 03:00'),
    ('K5', '2026-03-01', null), ('K5', '2026-03-01', null)
"""
# K1: an old duplicate, both rows written before the mark; K2: a row written at the mark
# colliding with an old one; K3: a row written after the mark, alone; K5: rows without
# loaded_at (held back by a build that stopped before removing them).


def test_a_daily_build_reads_the_rows_written_since_the_mark_and_their_keys(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_ops_case_days"
            " (case_id varchar, day date, loaded_at timestamp)"
        )
        con.execute(
            "create table intermediate.int_finance_ar_balances"
            " (invoice_id varchar, balance_date date, loaded_at timestamp)"
        )
        con.execute(f"insert into intermediate.int_ops_case_days values {ROWS}")
        con.execute(f"insert into intermediate.int_finance_ar_balances values {ROWS}")

    marks = {"int_ops_case_days": MARK, "fct_ar_ageing": "2026-03-05T00:00:00"}
    variables = dbt_vars(as_of="2026-03-31", tested_marks=marks)
    run = run_dbt(
        ["test", "--select", f"{CASE_DAYS} {BALANCES}", "--vars", variables],
        warehouse,
        tmp_path / "dbt",
    )
    assert run.statuses == {CASE_DAYS: "fail", BALANCES: "fail"}, run.output[-2000:]
    # the views of the failing rows (dbt shortens a long test name into a hash for them)
    results = json.loads((tmp_path / "dbt" / "target" / "run_results.json").read_text())
    views = {r["unique_id"].split(".")[2]: r["relation_name"] for r in results["results"]}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failing = {
            test: [
                k for (k,) in con.execute(f"select {key} from {views[test]} order by 1").fetchall()
            ]
            for test, key in [(CASE_DAYS, "case_id"), (BALANCES, "invoice_id")]
        }
    assert failing == {
        CASE_DAYS: ["K2", "K5"],  # from its mark: K1's old duplicate is not read
        BALANCES: ["K1", "K2", "K5"],  # no mark for it: every row
    }
