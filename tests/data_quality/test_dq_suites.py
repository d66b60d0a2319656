from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import CLEAN_BANK, CLEAN_INVOICES, INVOICE_COLUMNS, Warehouse

from data_quality.runner import ExpectationOutcome, SuiteOutcome, run_suite, suite_columns
from data_quality.suites import SUITES, bank_entries_suite, erp_invoices_suite, is_blocking


def _failed(outcome: SuiteOutcome) -> dict[str, ExpectationOutcome]:
    return {r.name: r for r in outcome.results if not r.success}


def _invoice(**changes: object) -> tuple[object, ...]:
    row = dict(zip(INVOICE_COLUMNS, CLEAN_INVOICES[0], strict=True))
    row.update(changes)
    return tuple(row[c] for c in INVOICE_COLUMNS)


def _check_invoices(make_warehouse: Warehouse, extra: tuple[object, ...]) -> SuiteOutcome:
    warehouse = make_warehouse([*CLEAN_INVOICES, extra])
    return run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite())


def _check_bank(make_warehouse: Warehouse, extra: tuple[object, ...]) -> SuiteOutcome:
    return run_suite(
        make_warehouse(bank=[*CLEAN_BANK, extra]), "raw.bank_entries", bank_entries_suite()
    )


def test_every_expectation_declares_blocking_or_warning_with_a_reason() -> None:
    for build in SUITES.values():
        for expectation in build().expectations:
            meta = set(expectation.meta)
            assert {"blocking", "reason"} <= meta <= {"blocking", "reason", "versions_of"}
            assert expectation.meta["reason"]


def test_invoice_suite_reads_only_the_columns_it_checks() -> None:
    assert set(suite_columns(erp_invoices_suite())) == {
        "invoice_id", "_source_file", "_source_row", "debtor_id", "invoice_number",
        "issue_date", "due_date", "amount", "updated_at", "document_type", "currency",
        "reference_invoice_id", "_extracted_at", "_loaded_at",
    }  # fmt: skip


def test_clean_raw_tables_pass_both_suites(make_warehouse: Warehouse) -> None:
    warehouse = make_warehouse()
    invoices = run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite())
    bank = run_suite(warehouse, "raw.bank_entries", bank_entries_suite())
    assert _failed(invoices) == {}
    assert _failed(bank) == {}
    assert (invoices.success, invoices.row_count) == (True, len(CLEAN_INVOICES))
    assert (bank.success, bank.row_count) == (True, len(CLEAN_BANK))


def test_due_date_before_issue_date_fails_with_the_invoice_key(make_warehouse: Warehouse) -> None:
    bad = _invoice(invoice_id="INV-9", due_date="2026-01-01", _source_row=7)
    outcome = _check_invoices(make_warehouse, bad)
    failed = _failed(outcome)
    [name] = failed
    assert name.startswith("expect_column_pair_values_a_to_be_greater_than_b(due_date, issue_date)")
    assert failed[name].blocking is True
    assert failed[name].unexpected_count == 1
    assert failed[name].failing_keys == ("INV-9 (invoices_2026-01-06T0200.csv:7)",)
    assert outcome.success is False


def test_null_invoice_id_fails_not_null_with_its_file_and_row(make_warehouse: Warehouse) -> None:
    bad = _invoice(invoice_id=None, _source_file="invoices_x.csv", _source_row=3)
    outcome = _check_invoices(make_warehouse, bad)
    failed = _failed(outcome)
    assert list(failed) == ["expect_column_values_to_not_be_null(invoice_id)"]
    assert failed["expect_column_values_to_not_be_null(invoice_id)"].failing_keys == (
        "<null> (invoices_x.csv:3)",
    )


def test_credit_note_without_reference_is_blocking(make_warehouse: Warehouse) -> None:
    bad = _invoice(invoice_id="CN-2", document_type="credit_note", reference_invoice_id=None)
    outcome = _check_invoices(make_warehouse, bad)
    [result] = _failed(outcome).values()
    assert result.name.startswith("expect_column_values_to_not_be_null(reference_invoice_id) if")
    assert result.blocking is True
    assert result.failing_keys == ("CN-2 (invoices_2026-01-06T0200.csv:1)",)


def test_invoice_with_a_reference_is_only_a_warning(make_warehouse: Warehouse) -> None:
    bad = _invoice(invoice_id="INV-7", reference_invoice_id="INV-2")
    outcome = _check_invoices(make_warehouse, bad)
    assert [r.failing_keys for r in outcome.warning_failures] == [
        ("INV-7 (invoices_2026-01-06T0200.csv:1)",)
    ]
    assert outcome.blocking_failures == ()


def test_same_key_twice_in_one_file_with_same_updated_at_is_a_warning_naming_both_rows(
    make_warehouse: Warehouse,
) -> None:
    """Staging keeps the later row (its documented order); nothing in the landing zone could
    clear a block on raw, which is append-only, so the doubt is a warning with the keys."""
    latest = "invoices_2026-01-11T0200.csv"  # INV-1's latest version is its row 2
    resent = _invoice(updated_at="2026-01-09 10:00:00", _source_file=latest, _source_row=9)
    outcome = _check_invoices(make_warehouse, resent)
    [result] = _failed(outcome).values()
    assert result.name == (
        "expect_compound_columns_to_be_unique(invoice_id, updated_at, _extracted_at, _loaded_at)"
    )
    assert result.blocking is False
    assert outcome.blocking_failures == ()
    assert result.unexpected_count == 2
    assert sorted(result.failing_keys) == [f"INV-1 ({latest}:2)", f"INV-1 ({latest}:9)"]


def test_a_tie_of_a_version_a_later_one_superseded_is_no_warning(
    make_warehouse: Warehouse,
) -> None:
    """INV-1 twice in its first file, corrected in a later file: the correction decides."""
    outcome = _check_invoices(make_warehouse, _invoice(_source_row=9, amount="1.00"))
    assert outcome.success, _failed(outcome)


def test_unknown_credit_debit_value_fails_with_the_entry_ref(make_warehouse: Warehouse) -> None:
    bad = ("ST-3", "DE89370400440532013000", "E-9", "2026-01-14", "2026-01-14", "9.00", "EUR",
           "CREDIT", None, None, "stmt_3.xml", 4)  # fmt: skip
    outcome = _check_bank(make_warehouse, bad)
    failed = _failed(outcome)
    assert list(failed) == ["expect_column_values_to_be_in_set(credit_debit)"]
    assert failed["expect_column_values_to_be_in_set(credit_debit)"].failing_keys == (
        "E-9 (stmt_3.xml:4)",
    )


def test_null_value_date_and_bad_currency_are_both_reported(make_warehouse: Warehouse) -> None:
    bad = ("ST-3", "DE89370400440532013000", "E-8", "2026-01-14", None, "9.00", "EURO",
           "CRDT", None, None, "stmt_3.xml", 1)  # fmt: skip
    outcome = _check_bank(make_warehouse, bad)
    assert sorted(r.name for r in outcome.blocking_failures) == [
        "expect_column_values_to_be_in_set(currency)",
        "expect_column_values_to_not_be_null(value_date)",
    ]


def test_missing_table_names_the_table(tmp_path: Path) -> None:
    warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(warehouse)).close()
    with pytest.raises(LookupError, match="raw.erp_invoices"):
        run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite())


def test_unmarked_expectations_count_as_blocking() -> None:
    import great_expectations as gx

    assert is_blocking(gx.expectations.ExpectColumnValuesToNotBeNull(column="x")) is True
