"""Each kind of check, broken on purpose in a tiny graph: the right check fails with its verdict
(`fail` blocks publication, `warn` flags; data_quality/policy.py), what depends on the checked
table still materialises (every check runs in every build), and the failure is recorded with
its failing keys."""

from __future__ import annotations

import copy
from pathlib import Path

import dagster as dg
from dq_fixtures import (
    DOWNSTREAM,
    RAW,
    build_warehouse,
    log_loads,
    materialized,
    recorded,
    run_graph,
    stubs,
)

from data_quality.checks import build_asset_checks, build_sql_checks
from data_quality.source_checks import build_volume_check
from data_quality.sqlcheck import staging

ALLOCATIONS = dg.AssetKey(["raw", "erp_payment_allocations"])
INVOICES = dg.AssetKey(["raw", "erp_invoices"])
BANK = dg.AssetKey(["raw", "bank_entries"])
STAGED = [
    dg.AssetKey(list(staging(t)))
    for t in ("erp_payment_allocations", "erp_invoices", "bank_entries")
]


def _raw(**extra_rows: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    raw = copy.deepcopy(RAW)
    for table, rows in extra_rows.items():
        raw[table] = [*raw[table], *rows]
    return raw


def test_a_key_without_its_id_fails_the_raw_suite_blocks_and_is_recorded(tmp_path: Path) -> None:
    keyless = dict(RAW["erp_invoices"][1], invoice_id=None)
    warehouse = build_warehouse(tmp_path / "w.duckdb", _raw(erp_invoices=[keyless]))
    result = run_graph(
        warehouse,
        stubs([INVOICES], INVOICES),
        build_asset_checks(tables=["raw.erp_invoices"]),
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert DOWNSTREAM in materialized(result), "nothing is skipped: publication decides later"
    [row] = recorded(warehouse)
    assert (row["check_name"], row["asset"], row["status"]) == (
        "raw_erp_invoices_suite",
        "raw/erp_invoices",
        "fail",
    )
    assert row["run_id"] == result.run_id
    assert row["failing_count"] == 1
    assert row["failing_keys"] == ["<null> (f_erp_invoices.csv:4)"]


def test_a_key_twice_in_one_file_is_a_recorded_warning_that_blocks_nothing(
    tmp_path: Path,
) -> None:
    """Raw is append-only: a block on it could never be cleared from the landing zone. Staging
    keeps the later row; the warning names both rows."""
    twice = dict(RAW["erp_invoices"][1], amount="41.00")  # same key, timestamp and file
    warehouse = build_warehouse(tmp_path / "w.duckdb", _raw(erp_invoices=[twice]))
    result = run_graph(
        warehouse,
        stubs([INVOICES], INVOICES),
        build_asset_checks(tables=["raw.erp_invoices"]),
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert DOWNSTREAM in materialized(result)
    [row] = recorded(warehouse)
    assert (row["status"], row["failing_count"]) == ("warn", 2)
    assert row["failing_keys"] == ["INV-2 (f_erp_invoices.csv:2)", "INV-2 (f_erp_invoices.csv:4)"]


def test_an_orphan_allocation_above_the_row_share_fails_and_blocks(tmp_path: Path) -> None:
    """One of the fixture's few allocations (far above 1 %) names an unknown invoice."""
    orphan = dict(RAW["erp_payment_allocations"][0], allocation_id="AL-9", invoice_id="INV-404")
    warehouse = build_warehouse(tmp_path / "w.duckdb", _raw(erp_payment_allocations=[orphan]))
    result = run_graph(
        warehouse,
        stubs([ALLOCATIONS, *STAGED], ALLOCATIONS),
        build_sql_checks(names=["allocations_reference_known_invoices"]),
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert evaluation.metadata["failing_keys"].value == [
        "AL-9 -> INV-404 (f_erp_payment_allocations.csv:2)"
    ]
    assert DOWNSTREAM in materialized(result), "nothing is skipped: publication decides later"
    [row] = recorded(warehouse)
    assert (row["status"], row["blocking"], row["failing_count"]) == ("fail", True, 1)
    assert row["failing_keys"] == ["AL-9 -> INV-404 (f_erp_payment_allocations.csv:2)"]


def test_cash_applied_before_the_invoice_was_issued_is_a_recorded_warning(tmp_path: Path) -> None:
    """paid ≥ issued: INV-2 was issued on 01-07; an allocation of bank E-1 (value date 01-12)
    is fine, one with no bank entry allocated on 01-03 is paid before the invoice existed."""
    early = dict(
        RAW["erp_payment_allocations"][0],
        allocation_id="AL-8",
        payment_ref="E-404",
        invoice_id="INV-2",
        allocated_at="2026-01-03 09:00:00",
    )
    on_time = dict(RAW["erp_payment_allocations"][0], allocation_id="AL-7", invoice_id="INV-2")
    warehouse = build_warehouse(
        tmp_path / "w.duckdb", _raw(erp_payment_allocations=[early, on_time])
    )
    result = run_graph(
        warehouse,
        stubs([ALLOCATIONS, *STAGED], ALLOCATIONS),
        build_sql_checks(names=["allocations_paid_on_or_after_issue"]),
    )
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    keys = [
        "AL-8 -> INV-2 (paid 2026-01-03 before issue 2026-01-07, f_erp_payment_allocations.csv:2)"
    ]
    assert evaluation.metadata["failing_keys"].value == keys
    assert DOWNSTREAM in materialized(result), "a warning never blocks"
    [row] = recorded(warehouse)
    assert (row["status"], row["blocking"], row["failing_count"]) == ("warn", False, 1)


def test_a_volume_drop_is_a_recorded_warning_that_does_not_block(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(
        warehouse,
        "erp_invoices",
        [("run-1", "2026-01-30 02:00:00", 1000), ("run-2", "2026-01-31 02:00:00", 120)],
    )
    log_loads(warehouse, "bank_entries", [("run-1", "2026-01-30 02:00:00", 10)])
    result = run_graph(
        warehouse,
        stubs([INVOICES, BANK], INVOICES),
        [build_volume_check(tables=["erp_invoices", "bank_entries"])],
    )
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    invoices = evaluations[INVOICES]
    assert (invoices.passed, invoices.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert evaluations[BANK].passed is True, "a first load has nothing to compare to"
    assert DOWNSTREAM in materialized(result)
    rows = {r["asset"]: r for r in recorded(warehouse)}
    assert (rows["raw/erp_invoices"]["status"], rows["raw/erp_invoices"]["blocking"]) == (
        "warn",
        False,
    )
    assert rows["raw/erp_invoices"]["failing_keys"] == ["run-2: 120 rows vs 1000 in run-1"]
    assert rows["raw/bank_entries"]["status"] == "pass"


def test_the_clean_ledger_reconciles_and_lets_downstream_run(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    names = [
        "payments_reconcile_to_allocations",
        "allocations_reference_known_invoices",
        "allocations_paid_on_or_after_issue",
    ]
    result = run_graph(
        warehouse,
        stubs([ALLOCATIONS, *STAGED], ALLOCATIONS),
        build_sql_checks(names=names),
    )
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True, True, True]
    assert DOWNSTREAM in materialized(result)
    payments = next(e for e in result.get_asset_check_evaluations() if e.check_name == names[0])
    assert payments.metadata["figures"].value["per_currency"] == {
        "EUR": {"payments_in": "45.00", "allocated": "30.00", "unallocated": "15.00"}
    }
    assert [r["status"] for r in recorded(warehouse)] == ["pass", "pass", "pass"]
