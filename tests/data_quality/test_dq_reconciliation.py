"""Reconciliations and integrity checks on a hand-made ledger (values computed by hand), read
from the staging tables built from its raw rows. Open AR in the ageing is reconciled by the dbt
test assert_ageing_reconciles_to_sources (tests/dbt_project/test_dbt_ageing.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb
from dq_fixtures import RAW, build_warehouse

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from data_quality.integrity import contacts_reference_known_cases, volume_vs_previous_load
from data_quality.reconciliation import (
    contacts_reconcile_to_loaded,
    payments_reconcile_to_allocations,
)


def _run(path: Path, check):  # noqa: ANN001, ANN202
    with duckdb.connect(str(path), read_only=True) as con:
        return check(con)


def test_a_later_correction_is_taken_as_staging_takes_it(tmp_path: Path) -> None:
    """AL-1 first allocated 60.00 of the 45.00 receipt E-1, then corrected to 30.00 by a later
    row: the check reads the corrected row, the one every model reads."""
    raw = copy.deepcopy(RAW)
    raw["erp_payment_allocations"] = [
        dict(raw["erp_payment_allocations"][0], amount="60.00"),
        dict(raw["erp_payment_allocations"][0], _source_file="g.csv"),
    ]
    outcome = _run(build_warehouse(tmp_path / "w.duckdb", raw), payments_reconcile_to_allocations)
    assert outcome.success, outcome.failing_keys
    assert outcome.figures["per_currency"]["EUR"]["allocated"] == "30.00"


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

    # a key loaded in raw that staging lost is missing too, though the model agrees with staging
    with duckdb.connect(str(lost)) as con:
        con.execute("delete from staging.stg_contacts__messages where contact_id = 'M-1'")
    outcome = _run(lost, contacts_reconcile_to_loaded)
    assert outcome.failing_keys == ("message M-1: missing from the model",)


def test_contacts_reconciliation_names_a_doubled_and_an_unknown_model_row(tmp_path: Path) -> None:
    contacts = [("call", "K-1"), ("call", "K-1"), ("message", "M-1"), ("call", "K-404")]
    warehouse = build_warehouse(tmp_path / "w.duckdb", copy.deepcopy(RAW), contacts=contacts)
    outcome = _run(warehouse, contacts_reconcile_to_loaded)
    assert outcome.failing_keys == (
        "call K-1: not in raw (or doubled)",
        "call K-404: not in raw (or doubled)",
    )
    assert outcome.figures == {"rows_loaded": 2, "duplicates": 0, "in_model": 4}


def test_volume_within_bounds_passes(tmp_path: Path) -> None:
    from dq_fixtures import log_loads

    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(warehouse, "fx_rates", [("a", "2026-01-01 00:00:00", 100), ("b", "2026-01-02", 60)])
    volume = load_config(DEFAULT_CONFIG).quality.volume
    outcome = _run(warehouse, lambda con: volume_vs_previous_load(con, volume))["fx_rates"]
    assert outcome.success
    assert (outcome.figures["latest_rows"], outcome.figures["previous_rows"]) == (60, 100)


def test_payments_reconciliation_names_every_kind_of_break_and_counts_awaiting_statements(
    tmp_path: Path,
) -> None:
    raw = copy.deepcopy(RAW)
    raw["bank_entries"] += [
        {
            "statement_id": "ST-1",
            "account_iban": "DE89370400440532013000",
            "entry_ref": "E-2",
            "booking_date": "2026-01-14",
            "value_date": "2026-01-14",
            "amount": "9.00",
            "currency": "EUR",
            "credit_debit": "DBIT",
        },
        {
            "statement_id": "ST-1",
            "account_iban": "DE89370400440532013000",
            "entry_ref": "E-3",
            "booking_date": "2026-01-15",
            "value_date": "2026-01-15",
            "amount": "40.00",
            "currency": "EUR",
            "credit_debit": "CRDT",
        },
        {  # a reversal of a debit: money back in, but no payment
            "statement_id": "ST-1",
            "account_iban": "DE89370400440532013000",
            "entry_ref": "E-4",
            "booking_date": "2026-01-16",
            "value_date": "2026-01-16",
            "amount": "7.00",
            "currency": "EUR",
            "credit_debit": "CRDT",
            "is_reversal": True,
        },
    ]
    raw["erp_payment_allocations"] += [
        # a debit (money out) cannot pay an invoice
        {"allocation_id": "AL-2", "payment_ref": "E-2", "invoice_id": "INV-1",
         "amount": "9.00", "allocated_at": "2026-01-14 09:00:00"},
        # a EUR receipt allocated to the USD invoice
        {"allocation_id": "AL-3", "payment_ref": "E-3", "invoice_id": "INV-2",
         "amount": "40.00", "allocated_at": "2026-01-15 09:00:00"},
        # its bank statement has not arrived yet: counted apart, not a break
        {"allocation_id": "AL-4", "payment_ref": "E-9", "invoice_id": "INV-1",
         "amount": "5.00", "allocated_at": "2026-01-30 09:00:00"},
        # a reversal undoes an earlier entry: it pays nothing
        {"allocation_id": "AL-5", "payment_ref": "E-4", "invoice_id": "INV-1",
         "amount": "7.00", "allocated_at": "2026-01-16 09:00:00"},
    ]  # fmt: skip
    outcome = _run(build_warehouse(tmp_path / "w.duckdb", raw), payments_reconcile_to_allocations)
    assert outcome.failing_keys == (
        "E-2: 9.00 allocated to a DBIT entry",
        "E-3 (EUR): allocated to invoices in another currency",
        "E-4: 7.00 allocated to a reversal CRDT entry",
    )
    assert outcome.failing_count == 3
    assert outcome.figures == {
        "per_currency": {
            "EUR": {"payments_in": "85.00", "allocated": "70.00", "unallocated": "15.00"}
        },
        "allocations_without_bank_entry": 1,
    }
    assert outcome.summary == (
        "3 bank entr(y/ies) break payments in = allocated + unallocated"
        " (1 currencies, 1 allocation(s) awaiting their statement)"
    )
