"""The uniqueness tests of the incremental models that stamp their rows with `loaded_at` read,
on a daily build, the rows written since the model's tests last passed (var `tested_marks`,
macros/get_where_subquery.sql, data_quality/tested_marks.py) and every row sharing a key with
one: rows after the mark, and at the mark when it is not settled or nothing newer is held;
rows without `loaded_at` always; a model without a mark has every row read."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.dbt_project.raw_fixture import dbt_vars, run_dbt

MARK = "2026-03-03T03:00:00"
# The rows of every model, by hand, as no correct build leaves them: (key, day, loaded_at).
ROWS = [
    ("K1", "2026-03-01", "2026-03-01 03:00"),  # an old duplicate, both before the mark
    ("K1", "2026-03-01", "2026-03-01 03:00"),
    ("K2", "2026-03-02", "2026-03-02 03:00"),  # a row at the mark colliding with an old one
    ("K2", "2026-03-02", "2026-03-03 03:00"),
    ("K3", "2026-03-03", "2026-03-04 03:00"),  # a row after the mark, alone
    ("K4", "2026-03-04", "2026-03-01 03:00"),  # a row after the mark colliding with an old one
    ("K4", "2026-03-04", "2026-03-04 03:00"),
    ("K5", "2026-03-01", None),  # rows without loaded_at (held back by a stopped build)
    ("K5", "2026-03-01", None),
]
AFTER_MARK = "2026-03-04 03:00"
# test -> (schema.table, key column, day column, its mark, only the rows up to the mark)
MODELS = {
    "unique_combination_of_columns_int_ops_case_days_case_id__day": (
        "intermediate.int_ops_case_days", "case_id", "day", {"mark": MARK, "settled": True}, False
    ),
    "unique_combination_of_columns_int_finance_ar_balances_balance_date__invoice_id": (
        "intermediate.int_finance_ar_balances", "invoice_id", "balance_date",
        {"mark": MARK, "settled": False}, False,
    ),
    "unique_combination_of_columns_fct_ar_ageing_snapshot_date__invoice_id": (
        "marts.fct_ar_ageing", "invoice_id", "snapshot_date", {"mark": MARK, "settled": True}, True
    ),
    "unique_combination_of_columns_fct_agent_daily_agent_id__activity_date": (
        "marts.fct_agent_daily", "agent_id", "activity_date", None, False
    ),
}  # fmt: skip


def test_a_daily_build_reads_the_rows_written_since_the_mark_and_their_keys(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    marks = {}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema intermediate")
        con.execute("create schema marts")
        for table, key, day, mark, up_to_mark in MODELS.values():
            con.execute(f"create table {table} ({key} varchar, {day} date, loaded_at timestamp)")
            rows = [r for r in ROWS if not (up_to_mark and r[2] == AFTER_MARK)]
            con.executemany(f"insert into {table} values (?, ?, ?)", rows)
            if mark:
                marks[table.split(".")[1]] = mark

    variables = dbt_vars(as_of="2026-03-31", tested_marks=marks)
    run = run_dbt(["test", "--select", " ".join(MODELS), "--vars", variables], warehouse, tmp_path)
    assert run.statuses == dict.fromkeys(MODELS, "fail"), run.output[-2000:]
    # the views of the failing rows (dbt shortens a long test name into a hash for them)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    views = {r["unique_id"].split(".")[2]: r["relation_name"] for r in results}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failing = {
            test: [
                k for (k,) in con.execute(f"select {key} from {views[test]} order by 1").fetchall()
            ]
            for test, (_, key, *_) in MODELS.items()
        }
    case_days, balances, ageing, agent_days = MODELS
    assert failing == {
        case_days: ["K4", "K5"],  # settled, newer rows held: the rows at the mark were tested
        balances: ["K2", "K4", "K5"],  # not settled: the rows at the mark too
        ageing: ["K2", "K5"],  # settled, nothing newer: this build wrote at the mark
        agent_days: ["K1", "K2", "K4", "K5"],  # no mark: every row
    }
