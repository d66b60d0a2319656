"""Reconciliations and integrity checks on a hand-made ledger (values computed by hand)."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb
from dq_fixtures import RAW, build_warehouse

from data_quality.integrity import contacts_reference_known_cases, volume_vs_previous_load
from data_quality.reconciliation import (
    ageing_reconciles_to_raw,
    contacts_reconcile_to_loaded,
    payments_reconcile_to_allocations,
)


def _run(path: Path, check):  # noqa: ANN001, ANN202
    with duckdb.connect(str(path), read_only=True) as con:
        return check(con)


def test_a_later_payment_and_a_later_correction_are_taken_as_staging_takes_them(
    tmp_path: Path,
) -> None:
    raw = copy.deepcopy(RAW)
    # A correction of INV-2 (40.00 -> 35.00) in a later file, and a payment after as_of.
    raw["erp_invoices"].append(dict(raw["erp_invoices"][1], amount="35.00", _source_file="g.csv"))
    raw["erp_payment_allocations"].append(
        {"allocation_id": "AL-2", "payment_ref": "E-2", "invoice_id": "INV-1",
         "amount": "10.00", "allocated_at": "2026-02-03 09:00:00"}
    )  # fmt: skip
    warehouse = build_warehouse(
        tmp_path / "w.duckdb", raw, ageing=[("INV-1", "EUR", "50.00"), ("INV-2", "USD", "35.00")]
    )
    outcome = _run(warehouse, ageing_reconciles_to_raw)
    assert outcome.success, outcome.failing_keys
    assert outcome.figures["per_currency"]["USD"] == {"raw": "35.00", "mart": "35.00"}


def test_an_invoice_missing_from_the_ageing_is_named(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb", ageing=[("INV-1", "EUR", "50.00")])
    outcome = _run(warehouse, ageing_reconciles_to_raw)
    assert outcome.failing_keys == ("INV-2 (USD): mart none vs raw 40.00",)


def test_an_over_allocated_payment_breaks_payments_in_equals_allocated_plus_unallocated(
    tmp_path: Path,
) -> None:
    raw = copy.deepcopy(RAW)
    raw["erp_payment_allocations"].append(
        {
            "allocation_id": "AL-2",
            "payment_ref": "E-1",
            "invoice_id": "INV-1",
            "amount": "20.00",
            "allocated_at": "2026-01-14 09:00:00",
        }
    )  # fmt: skip  -- 30.00 + 20.00 allocated from a 45.00 receipt
    outcome = _run(build_warehouse(tmp_path / "w.duckdb", raw), payments_reconcile_to_allocations)
    assert outcome.failing_keys == ("E-1 (EUR): 50.00 allocated > 45.00",)


def test_a_contact_on_an_unknown_case_is_an_orphan(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    raw["contacts_messages"].append(dict(raw["contacts_messages"][0], contact_id="M-2",
                                         case_id="C-404"))  # fmt: skip
    outcome = _run(
        build_warehouse(tmp_path / "w.duckdb", raw),
        contacts_reference_known_cases("contacts_messages"),
    )
    assert outcome.failing_keys == ("M-2 -> C-404 (f_contacts_messages.csv:2)",)


def test_contacts_reconcile_after_removing_duplicates_and_name_a_lost_one(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    raw["contacts_calls"].append(dict(raw["contacts_calls"][0]))  # K-1 sent twice
    warehouse = build_warehouse(tmp_path / "w.duckdb", raw)
    clean = _run(warehouse, contacts_reconcile_to_loaded)
    assert clean.success
    assert clean.figures == {"rows_loaded": 3, "duplicates": 1, "in_model": 2}

    lost = build_warehouse(tmp_path / "lost.duckdb", raw, contacts=[("call", "K-1")])
    outcome = _run(lost, contacts_reconcile_to_loaded)
    assert outcome.failing_keys == ("message M-1: missing from the model",)


def test_volume_within_bounds_passes(tmp_path: Path) -> None:
    from dq_fixtures import log_loads

    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(warehouse, "fx_rates", [("a", "2026-01-01 00:00:00", 100), ("b", "2026-01-02", 60)])
    outcome = _run(warehouse, volume_vs_previous_load)["fx_rates"]
    assert outcome.success
    assert (outcome.figures["latest_rows"], outcome.figures["previous_rows"]) == (60, 100)
