"""SQL checks on a daily build read the rows new since they last passed on every row
(`data_quality.sql_scope`), and still catch a bad row of the new batch, an old row that a
new version of another source breaks, and every row on a full refresh."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb
from dq_fixtures import RAW, build_warehouse

from data_quality import sql_scope
from data_quality.sql_checks import SQL_CHECKS_BY_NAME
from tests.dbt_project.raw_fixture import build_staging

ORPHANS = SQL_CHECKS_BY_NAME["allocations_reference_known_invoices"]
RECONCILE = SQL_CHECKS_BY_NAME["payments_reconcile_to_allocations"]


def _warehouse(tmp_path: Path) -> Path:
    """The little ledger, every raw row in batch B1, as a daily build's context."""
    raw = copy.deepcopy(RAW)
    for rows in raw.values():
        for row in rows:
            row["_batch_id"] = "B1"
    path = build_warehouse(tmp_path / "w.duckdb", raw)
    with duckdb.connect(str(path)) as con:
        con.execute("alter table marts.dim_build add column full_refresh_reason varchar")
        con.execute("update marts.dim_build set full_refresh_reason = ''")
    return path


def _load(path: Path, table: str, batch: str, **row: object) -> None:
    """Append one raw row of `batch` (a later file) and rebuild staging."""
    values = {"_source_file": f"{batch}_{table}.csv", "_source_row": 1, "_batch_id": batch, **row}
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"insert into raw.{table} ({', '.join(values)})"
            f" values ({', '.join('?' for _ in values)})",
            list(values.values()),
        )
        build_staging(con)


def _evaluate(path: Path, check=ORPHANS):  # noqa: ANN001, ANN202
    """Evaluate `check` as a build does and keep its record: (plan, outcome)."""
    with duckdb.connect(str(path), read_only=True) as con:
        read = sql_scope.plan(con, check)
        outcome = check.run(con, read.scope)
    with duckdb.connect(str(path)) as con:
        sql_scope.validation(read, sql_scope.failing_keys(outcome)).store(con, "run")
    return read, outcome


def _allocation(allocation_id: str, invoice_id: str, payment_ref: str = "E-1") -> dict:
    return {
        "allocation_id": allocation_id,
        "payment_ref": payment_ref,
        "invoice_id": invoice_id,
        "amount": "1.00",
        "allocated_at": "2026-01-20 09:00:00",
    }


def test_a_daily_build_reads_the_new_batch_and_still_catches_its_bad_row(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    first, outcome = _evaluate(path)
    assert first.scope is None and "first reading" in sql_scope.describe(first)
    assert outcome.success

    _load(path, "erp_payment_allocations", "B2", **_allocation("AL-2", "INV-404"))
    with duckdb.connect(str(path)) as con:  # an old row no correct build could break:
        con.execute(  # it shows which rows the daily build reads
            "update staging.stg_erp__payment_allocations set invoice_id = 'INV-0'"
            " where allocation_id = 'AL-1'"
        )
    daily, outcome = _evaluate(path)
    assert daily.scope is not None and daily.scope.batches == ("B2",)
    assert "daily build" in sql_scope.describe(daily)
    # AL-2 of the new batch is caught; AL-1, of batch B1, was not read again
    assert outcome.failing_keys == ("AL-2 -> INV-404 (B2_erp_payment_allocations.csv:1)",)
    assert outcome.checked == 2  # the share of bad rows is out of every allocation


def test_a_new_version_of_an_invoice_is_checked_against_its_old_allocations(
    tmp_path: Path,
) -> None:
    """INV-1, paid by AL-1 of batch B1, comes again in B2 as a credit note: AL-1 names no
    invoice any more, though it is in no new batch."""
    path = _warehouse(tmp_path)
    _evaluate(path)
    invoice = dict(RAW["erp_invoices"][0], document_type="credit_note")
    invoice["updated_at"] = "2026-01-25 10:00:00"
    _load(path, "erp_invoices", "B2", **invoice)
    daily, outcome = _evaluate(path)
    assert daily.scope is not None
    assert outcome.failing_keys == ("AL-1 -> INV-1 (f_erp_payment_allocations.csv:1)",)


def test_after_a_failure_and_on_a_full_refresh_every_row_is_read(tmp_path: Path) -> None:
    path = _warehouse(tmp_path)
    _evaluate(path)
    _load(path, "erp_payment_allocations", "B2", **_allocation("AL-2", "INV-404"))
    _evaluate(path)  # fails on AL-2

    # the invoice arrives late: the failure is cured, found by reading every row again
    late = dict(RAW["erp_invoices"][1], invoice_id="INV-404", invoice_number="N-404")
    _load(path, "erp_invoices", "B3", **late)
    again, outcome = _evaluate(path)
    assert again.scope is None and "failing rows found" in again.reason
    assert outcome.success

    daily, _ = _evaluate(path)  # a passing whole reading: restricted again
    assert daily.scope is not None and daily.scope.batches == ()

    with duckdb.connect(str(path)) as con:
        con.execute("update marts.dim_build set full_refresh_reason = 'asked for (--full-refresh)'")
        con.execute("update staging.stg_erp__payment_allocations set invoice_id = 'INV-0'")
    full, outcome = _evaluate(path)
    assert full.scope is None and full.reason.startswith("full refresh")
    assert outcome.failing_count == 2  # old rows of B1 and B2, read on the full refresh


def test_the_reconciliation_reads_the_entries_a_new_allocation_touches(tmp_path: Path) -> None:
    """E-1 (45.00, batch B1) already has 30.00 allocated; a new allocation of 20.00 to it in
    B2 over-allocates it: the entry is read though it is in no new batch."""
    path = _warehouse(tmp_path)
    assert _evaluate(path, RECONCILE)[1].success
    _load(
        path, "erp_payment_allocations", "B2", **dict(_allocation("AL-2", "INV-1"), amount="20.00")
    )
    daily, outcome = _evaluate(path, RECONCILE)
    assert daily.scope is not None
    assert outcome.failing_keys == ("E-1 (EUR): 50.00 allocated > 45.00",)
    assert outcome.figures["entries_in_scope"] == 1
