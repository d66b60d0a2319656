"""Small raw/staging/intermediate/mart tables in a tmp warehouse, and a tiny Dagster graph
around a check: stub assets stand in for the tables, one downstream asset shows what a check
blocks. The staging tables are built from the raw rows by the staging models as dbt compiles
them (`tests.dbt_project.raw_fixture.build_staging`)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg
import duckdb

from amicable.settings import DEFAULT_CONFIG
from data_quality.resources import BusinessConfig, WarehouseResource
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema
from tests.dbt_project.raw_fixture import build_staging

DOWNSTREAM = dg.AssetKey(["downstream"])

# A consistent little ledger, as of 2026-01-31: INV-1 100.00 EUR paid 30.00 (bank E-1 on
# 2026-01-12) and credited 20.00 (CN-1): open 50.00. INV-2 40.00 USD unpaid: open 40.00.
RAW: dict[str, list[dict[str, object]]] = {
    "erp_invoices": [
        {"invoice_id": "INV-1", "invoice_number": "N-INV-1",
         "debtor_id": "D-1", "document_type": "invoice",
         "issue_date": "2026-01-05", "due_date": "2026-02-04", "amount": "100.00",
         "currency": "EUR", "updated_at": "2026-01-05 10:00:00"},
        {"invoice_id": "INV-2", "invoice_number": "N-INV-2",
         "debtor_id": "D-2", "document_type": "invoice",
         "issue_date": "2026-01-07", "due_date": "2026-01-07", "amount": "40.00",
         "currency": "USD", "updated_at": "2026-01-07 10:00:00"},
        {"invoice_id": "CN-1", "invoice_number": "N-CN-1",
         "debtor_id": "D-1", "document_type": "credit_note",
         "reference_invoice_id": "INV-1", "issue_date": "2026-01-10", "due_date": "2026-01-10",
         "amount": "20.00", "currency": "EUR", "updated_at": "2026-01-10 10:00:00"},
    ],
    "erp_payment_allocations": [
        {"allocation_id": "AL-1", "payment_ref": "E-1", "invoice_id": "INV-1",
         "amount": "30.00", "allocated_at": "2026-01-13 09:00:00"},
    ],
    "bank_entries": [
        {"statement_id": "ST-1", "account_iban": "DE89370400440532013000", "entry_ref": "E-1",
         "booking_date": "2026-01-12", "value_date": "2026-01-12", "amount": "45.00",
         "currency": "EUR", "credit_debit": "CRDT"},
    ],
    "cases_cases": [
        {"case_id": "C-1", "debtor_id": "D-1", "opened_at": "2026-01-08 08:00:00",
         "placed_amount": "100.00", "currency": "EUR", "strategy": "standard",
         "agent_id": "A-1", "jurisdiction": "FR", "updated_at": "2026-01-08 08:00:00"},
    ],
    "contacts_calls": [
        {"contact_id": "K-1", "case_id": "C-1", "debtor_id": "D-1", "agent_id": "A-1",
         "direction": "outbound", "started_at": "2026-01-09 10:00:00", "duration_s": 60,
         "outcome": "no_answer"},
    ],
    "contacts_messages": [
        {"contact_id": "M-1", "case_id": "C-1", "debtor_id": "D-1", "channel": "email",
         "direction": "outbound", "sent_at": "2026-01-09 11:00:00", "outcome": "sent"},
    ],
}  # fmt: skip
AS_OF = "2026-01-31"


def build_warehouse(
    path: Path,
    raw: Mapping[str, Sequence[Mapping[str, object]]] = RAW,
    contacts: Sequence[tuple[str, str]] = (("call", "K-1"), ("message", "M-1")),
) -> Path:
    """Every raw table (rows of `raw`, file `f_<table>.csv`, rows numbered from 1), its staging
    table, the build's context (as_of) and the contacts model. Replaces `path`."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con, SOURCES)
        for table, rows in raw.items():
            for number, row in enumerate(rows, start=1):
                values = {"_source_file": f"f_{table}.csv", "_source_row": number, **row}
                columns = ", ".join(values)
                marks = ", ".join("?" for _ in values)
                con.execute(
                    f"insert into raw.{table} ({columns}) values ({marks})", list(values.values())
                )
        build_staging(con)
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_ops_case_contacts"
            " (contact_kind varchar, contact_id varchar)"
        )
        if contacts:
            con.executemany(
                "insert into intermediate.int_ops_case_contacts values (?, ?)",
                [list(c) for c in contacts],
            )
        con.execute("create schema marts")
        con.execute(  # the build's context (dbt's marts.dim_build), read by the checks
            f"create table marts.dim_build as select date '{AS_OF}' as as_of_date"
        )
    return path


def log_loads(path: Path, table: str, batches: Sequence[tuple[str, str, int]]) -> None:
    """Append one raw._loads row per (batch id, loaded at, rows loaded)."""
    with duckdb.connect(str(path)) as con:
        for batch, loaded_at, rows in batches:
            con.execute(
                "insert into raw._loads values"
                " (?, ?, 'x', 'loaded', ?, ?, 0, null, ?, ?, null, null)",
                [table, f"{table}_{batch}.csv", rows, rows, loaded_at, batch],
            )


def config_copy(folder: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of the shipped configuration folder under `folder`, with `amicable.yml` edited
    by (old, new) text replacements; returns the copy of `amicable.yml`."""
    target = folder / "config"
    shutil.copytree(DEFAULT_CONFIG.parent, target)
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{old!r} is not in {DEFAULT_CONFIG}"
        text = text.replace(old, new)
    path = target / DEFAULT_CONFIG.name
    path.write_text(text, encoding="utf-8")
    return path


def stubs(keys: Sequence[dg.AssetKey], upstream_of_downstream: dg.AssetKey) -> list:
    """A stub asset per key, and `downstream` depending on `upstream_of_downstream`."""

    def stub(key: dg.AssetKey) -> dg.AssetsDefinition:
        @dg.asset(key=key)
        def _stub() -> None:
            """Stands in for ingestion or dbt: the rows are already in the warehouse."""

        return _stub

    @dg.asset(key=DOWNSTREAM, deps=[upstream_of_downstream])
    def downstream() -> int:
        return 1

    return [*(stub(k) for k in keys), downstream]


def run_graph(
    warehouse: Path,
    assets: list,
    checks: list,
    config: Path = DEFAULT_CONFIG,
    run_config: Mapping[str, object] | None = None,
) -> dg.ExecuteInProcessResult:
    """Materialise `assets` with `checks`, the thresholds of `config` (default: shipped)."""
    return dg.materialize(
        [*assets, *checks],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "business": BusinessConfig(path=str(config)),
        },
        run_config=run_config,
        raise_on_error=False,
    )


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {m.asset_key for m in result.get_asset_materialization_events() if m.asset_key}


def recorded(warehouse: Path) -> list[dict[str, object]]:
    """Rows of quality.check_results, failing keys decoded, in insertion order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_name, asset, run_id, status, blocking, failing_count, failing_keys,"
            " description from quality.check_results"
        ).fetchall()
    names = ["check_name", "asset", "run_id", "status", "blocking", "failing_count"]
    return [
        {**dict(zip(names, r[:6], strict=True)), "failing_keys": json.loads(r[6]), "desc": r[7]}
        for r in rows
    ]
