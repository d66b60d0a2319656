"""The tested marks of the incremental models (data_quality/tested_marks.py): recorded, settled,
from a build whose tests of the model all passed, unsettled while a build runs dbt, dropped by
a failure, given to no full refresh."""

from __future__ import annotations

from datetime import datetime

import duckdb

from data_quality import tested_marks

WHERE = {"where": tested_marks.PLACEHOLDER}
MANIFEST = {
    "nodes": {
        "model.amicable.fct_ar_ageing": {"schema": "marts", "name": "fct_ar_ageing"},
        "model.amicable.int_ops_case_days": {"schema": "intermediate", "name": "int_ops_case_days"},
        "test.amicable.unique_ageing": {
            "attached_node": "model.amicable.fct_ar_ageing", "config": WHERE},
        "test.amicable.not_null_ageing": {
            "attached_node": "model.amicable.fct_ar_ageing", "config": {"where": None}},
        "test.amicable.unique_days": {
            "attached_node": "model.amicable.int_ops_case_days", "config": WHERE},
        "test.amicable.unique_days_again": {
            "attached_node": "model.amicable.int_ops_case_days", "config": WHERE},
    }
}  # fmt: skip


def _results(**statuses: str) -> dict[str, list[dict[str, str]]]:
    return {
        "results": [{"unique_id": f"test.amicable.{t}", "status": s} for t, s in statuses.items()]
    }


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema, model, newest in [
        ("marts", "fct_ar_ageing", "2026-03-02 03:00"),
        ("intermediate", "int_ops_case_days", "2026-03-01 03:00"),
    ]:
        con.execute(f"create schema {schema}")
        con.execute(f"create table {schema}.{model} (loaded_at timestamp)")
        con.execute(f"insert into {schema}.{model} values ('2026-02-01 03:00'), (?)", [newest])
    return con


def test_only_the_tests_reading_written_rows_judge_their_model() -> None:
    results = _results(
        unique_ageing="pass", not_null_ageing="fail", unique_days="pass", unique_days_again="warn"
    )
    assert tested_marks.verdicts(results, MANIFEST) == {
        ("marts", "fct_ar_ageing"): True,  # its not-null test reads every row: not its concern
        ("intermediate", "int_ops_case_days"): False,  # one of its two did not pass
    }


def test_a_passing_model_gets_its_newest_loaded_at_and_a_failing_one_loses_its_mark() -> None:
    con = _warehouse()
    passed = _results(unique_ageing="pass", unique_days="pass", unique_days_again="pass")
    tested_marks.store(tested_marks.verdicts(passed, MANIFEST))(con, "run-1")
    assert tested_marks.marks(con, "") == {
        "fct_ar_ageing": {"mark": "2026-03-02T03:00:00", "settled": True},
        "int_ops_case_days": {"mark": "2026-03-01T03:00:00", "settled": True},
    }
    assert tested_marks.for_build(con, "") == {  # the next build runs dbt
        "fct_ar_ageing": {"mark": "2026-03-02T03:00:00", "settled": True},
        "int_ops_case_days": {"mark": "2026-03-01T03:00:00", "settled": True},
    }
    con.execute("insert into marts.fct_ar_ageing values ('2026-03-03 03:00')")
    con.execute("insert into intermediate.int_ops_case_days values ('2026-03-03 03:00')")
    assert tested_marks.marks(con, "")["fct_ar_ageing"] == {
        "mark": "2026-03-02T03:00:00",
        "settled": False,  # had it been killed here, its rows could carry the mark
    }
    failed = _results(unique_ageing="pass", unique_days="fail", unique_days_again="pass")
    tested_marks.store(tested_marks.verdicts(failed, MANIFEST))(con, "run-2")
    assert tested_marks.marks(con, "") == {
        "fct_ar_ageing": {"mark": "2026-03-03T03:00:00", "settled": True}
    }
    rows = con.execute(f"select * from {tested_marks.TABLE}").fetchall()
    assert rows == [("fct_ar_ageing", datetime(2026, 3, 3, 3, 0), True, "run-2")]


def test_no_mark_on_a_full_refresh_before_the_first_or_for_an_empty_model() -> None:
    con = _warehouse()
    assert tested_marks.marks(con, "") == {}  # no mark recorded yet in this slot
    assert tested_marks.for_build(con, "") == {}  # nothing to unsettle: the table created
    assert con.execute(f"select count(*) from {tested_marks.TABLE}").fetchone() == (0,)
    con.execute("delete from marts.fct_ar_ageing")
    passed = _results(unique_ageing="pass", unique_days="pass", unique_days_again="pass")
    tested_marks.store(tested_marks.verdicts(passed, MANIFEST))(con, "run-1")
    assert list(tested_marks.marks(con, "")) == ["int_ops_case_days"]
    assert tested_marks.marks(con, "asked for (--full-refresh)") == {}
