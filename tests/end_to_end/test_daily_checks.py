"""On a daily build the SQL checks and the staging models' dbt tests read the new rows only,
the uniqueness tests of the incremental marts the rows written since they last passed; each
says so, and still catches a bad row of the new night; a full refresh reads every row again
(data_quality/sql_scope.py, data_quality/tested_marks.py,
dbt_project/macros/get_where_subquery.sql)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from amicable.cli import main
from ingestion.contracts import SOURCES_BY_NAME
from sample_data import generate

AS_OF = date(2026, 11, 20)
ORPHANS = ("allocations_reference_known_invoices", "raw/erp_payment_allocations")
UNIQUE = ("unique_stg_erp__invoices_invoice_id", "staging/stg_erp__invoices")
MART = (
    "unique_combination_of_columns_fct_case_file_case_id__source_table__source_id",
    "marts/fct_case_file",
)
AGEING = (
    "unique_combination_of_columns_fct_ar_ageing_snapshot_date__invoice_id",
    "marts/fct_ar_ageing",
)
DAILY = "read: daily build: only the rows of"
WRITTEN = "read: daily build, only the rows written since these tests last passed"


def _build(landing: Path, warehouse: Path, *extra: str) -> int:
    args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    return main([*args, "--as-of", AS_OF.isoformat(), *extra])


def _last_build(warehouse: Path) -> Path:
    """The build just made: kept as `.rejected` when a check blocked it, else published."""
    rejected = warehouse.with_name(warehouse.name + ".rejected")
    return rejected if rejected.exists() else warehouse


def _checks(warehouse: Path) -> dict[tuple[str, str], tuple[str, str, list[str]]]:
    """The last run's checks: (name, asset) -> (status, description, failing keys)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_name, asset, status, description, failing_keys"
            " from quality.check_results where run_id = (select run_id"
            " from quality.check_results order by evaluated_at desc limit 1)"
        ).fetchall()
    return {(n, a): (s, d or "", json.loads(k or "[]")) for n, a, s, d, k in rows}


def _tested_marks(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {m for (m,) in con.execute("select model from build_state.tested_marks").fetchall()}


def _duplicate_an_ageing_row(warehouse: Path) -> str:
    """The first snapshot of an invoice in marts.fct_ar_ageing a second time, as a build after
    the last tested one that failed to delete it before inserting would leave it (stamped a
    second after the model's mark: a first build writes every row with it); returns the
    invoice."""
    with duckdb.connect(str(warehouse)) as con:
        snapshot, invoice = con.execute(
            "select snapshot_date, invoice_id from marts.fct_ar_ageing"
            " order by snapshot_date, invoice_id limit 1"
        ).fetchone()
        con.execute(
            "insert into marts.fct_ar_ageing select * replace (loaded_at + interval 1 second"
            " as loaded_at) from marts.fct_ar_ageing where snapshot_date = ? and invoice_id = ?",
            [snapshot, invoice],
        )
    return invoice


def test_a_daily_build_checks_the_new_night_and_a_full_refresh_every_row(
    tmp_path: Path,
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, size="tiny", seed=3, as_of=AS_OF)
    assert _build(landing, warehouse) == 0
    first = _checks(warehouse)
    assert first[ORPHANS][0] == "pass" and DAILY not in first[ORPHANS][1]
    assert first[MART][0] == "pass" and WRITTEN not in first[MART][1]  # a first build
    assert {"fct_case_file", "fct_ar_ageing"} <= _tested_marks(warehouse)
    duplicated = _duplicate_an_ageing_row(warehouse)

    header = ",".join(SOURCES_BY_NAME["erp_payment_allocations"].columns)
    orphan = "AL-ORPHAN,NO-SUCH-ENTRY,INV-NOT-THERE,10.00,2026-11-19T12:00:00Z"
    late = landing / "erp" / "payment_allocations_2026-11-20T2330.csv"
    late.write_text(f"{header}\n{orphan}\n")
    _build(landing, warehouse)
    daily = _checks(_last_build(warehouse))
    status, description, keys = daily[ORPHANS]
    assert status != "pass" and DAILY in description
    assert any("AL-ORPHAN" in key for key in keys)
    assert DAILY in daily[UNIQUE][1] and daily[UNIQUE][0] == "pass"
    # the marts' uniqueness tests read the rows written since they last passed, and their
    # keys: the duplicate, written after the mark, is found; its model's mark is dropped, so
    # the next builds read every row of it until its tests pass again
    assert daily[MART][0] == "pass" and WRITTEN in daily[MART][1]
    status, description, keys = daily[AGEING]
    assert status == "fail" and WRITTEN in description, (status, description)
    assert any(f"invoice_id={duplicated}" in key for key in keys), keys
    marks = _tested_marks(_last_build(warehouse))
    assert "fct_ar_ageing" not in marks and "fct_case_file" in marks

    _build(landing, warehouse, "--full-refresh")
    full = _checks(_last_build(warehouse))
    status, description, keys = full[ORPHANS]
    assert status != "pass" and DAILY not in description  # the old orphan, read again
    assert any("AL-ORPHAN" in key for key in keys)
    assert DAILY not in full[UNIQUE][1]
    assert full[AGEING][0] == "pass" and WRITTEN not in full[AGEING][1]  # rebuilt, read whole
    assert "fct_ar_ageing" in _tested_marks(_last_build(warehouse))
