from __future__ import annotations

from pathlib import Path

import dagster as dg
from conftest import CLEAN_INVOICES, INVOICE_COLUMNS, Warehouse

from amicable.settings import DEFAULT_CONFIG
from data_quality.checks import build_asset_checks, check_result, suite_record
from data_quality.resources import BusinessConfig, WarehouseResource
from data_quality.runner import run_suite
from data_quality.suites import bank_entries_suite, erp_invoices_suite
from ingestion.contracts import SOURCES

RAW_INVOICES = dg.AssetKey(["raw", "erp_invoices"])


@dg.asset(key=RAW_INVOICES)
def raw_invoices_stub() -> None:
    """Stands in for ingestion: the rows are already in the warehouse."""


@dg.asset(deps=[RAW_INVOICES])
def downstream_of_invoices() -> int:
    return 1


def _bad_invoice() -> tuple[object, ...]:
    row = dict(zip(INVOICE_COLUMNS, CLEAN_INVOICES[0], strict=True))
    row.update(invoice_id="INV-9", due_date="2025-12-31", _source_row=5)
    return tuple(row[c] for c in INVOICE_COLUMNS)


def _materialize(warehouse: Path) -> dg.ExecuteInProcessResult:
    [invoice_check] = build_asset_checks("warehouse", tables=["raw.erp_invoices"])
    return dg.materialize(
        [raw_invoices_stub, invoice_check, downstream_of_invoices],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "business": BusinessConfig(path=str(DEFAULT_CONFIG)),
        },
        raise_on_error=False,
    )


def _materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {m.asset_key for m in result.get_asset_materialization_events() if m.asset_key}


def test_a_failure_that_blocks_publication_is_an_error_but_stops_nothing(
    make_warehouse: Warehouse,
) -> None:
    """One invoice due before its issue among a handful (far above the 1 % share): status
    `fail` (the build will not be published), yet what depends on the table still runs, so
    the same build reports every other problem."""
    result = _materialize(make_warehouse([*CLEAN_INVOICES, _bad_invoice()]))
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["blocking_failures"].value == 1
    [failure] = evaluation.metadata["failures"].value
    assert failure["sample_keys"] == ["INV-9 (invoices_2026-01-06T0200.csv:5)"]
    assert dg.AssetKey(["downstream_of_invoices"]) in _materialized(result)
    assert result.success is True


def test_passing_check_lets_the_downstream_asset_run(make_warehouse: Warehouse) -> None:
    result = _materialize(make_warehouse())
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed is True
    assert evaluation.metadata["row_count"].value == len(CLEAN_INVOICES)
    assert _materialized(result) == {RAW_INVOICES, dg.AssetKey(["downstream_of_invoices"])}
    assert result.success is True


def test_warning_only_failure_is_a_warn_and_does_not_block(make_warehouse: Warehouse) -> None:
    row = dict(zip(INVOICE_COLUMNS, CLEAN_INVOICES[0], strict=True))
    row.update(invoice_id="INV-8", reference_invoice_id="INV-2")
    result = _materialize(make_warehouse([*CLEAN_INVOICES, tuple(row[c] for c in INVOICE_COLUMNS)]))
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert dg.AssetKey(["downstream_of_invoices"]) in _materialized(result)


def test_check_result_counts_failing_rows(make_warehouse: Warehouse) -> None:
    bad = ("ST-3", "DE89370400440532013000", None, "2026-01-14", "2026-01-14", "9.00", "EUR",
           "CRDT", None, None, "stmt_3.xml", 4)  # fmt: skip
    warehouse = make_warehouse(bank=[bad])
    outcome = run_suite(warehouse, "raw.bank_entries", bank_entries_suite())
    record = suite_record(
        "raw_bank_entries_suite", dg.AssetKey(["raw", "bank_entries"]), outcome, 0.01
    )
    result = check_result(outcome, record, 0.01)
    assert (result.passed, result.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert result.metadata["failing_rows_total"].value == 1
    assert "expect_column_values_to_not_be_null(entry_ref)" in (result.description or "")


def test_default_checks_cover_every_raw_table_and_no_mart() -> None:
    """Suites guard the raw tables; the marts' invariants are dbt tests (one home per rule)."""
    checks = build_asset_checks()
    specs = [spec for c in checks for spec in c.check_specs]
    suites = {spec.asset_key for spec in specs if spec.name.endswith("_suite")}
    assert suites == {dg.AssetKey(["raw", s.name]) for s in SOURCES}
    every_source = {dg.AssetKey(["raw", s.name]) for s in SOURCES}
    for per_source in ("volume_vs_previous_load", "freshness"):
        assert {spec.asset_key for spec in specs if spec.name == per_source} == every_source
    assert {spec.asset_key for spec in specs if spec.name == "distribution_shift"} == {
        dg.AssetKey(["raw", "contacts_calls"]),
        dg.AssetKey(["raw", "contacts_messages"]),
    }
    assert {spec.name for spec in specs} >= {
        "allocations_reference_known_invoices",
        "contacts_calls_reference_known_cases",
        "contacts_messages_reference_known_cases",
        "payments_reconcile_to_allocations",
        "contacts_reconcile_to_loaded",
    }
    assert not any(spec.blocking for spec in specs), "no check stops another: every one runs"
    assert erp_invoices_suite().name == "raw.erp_invoices"


def test_checks_load_into_definitions_with_the_resource(tmp_path: Path) -> None:
    defs = dg.Definitions(
        assets=[raw_invoices_stub, downstream_of_invoices],
        asset_checks=build_asset_checks("dwh", tables=["raw.erp_invoices"]),
        resources={
            "dwh": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "business": BusinessConfig(path=str(DEFAULT_CONFIG)),
        },
    )
    assert defs.resolve_asset_graph().asset_check_keys == {
        dg.AssetCheckKey(RAW_INVOICES, "raw_erp_invoices_suite")
    }
