"""A hand-made raw warehouse for the dbt project, and a helper running dbt on it.

The raw tables are created from `ingestion.contracts.raw_table_ddl`, so the fixture follows
the contracts. Rows are small and hand-made so that every figure asserted in the tests can be
computed by hand (see the comments next to the rows and in test_dbt_ageing.py).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from ingestion.contracts import SOURCES, raw_table_ddl
from ingestion.landing import extracted_at

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
AS_OF = "2026-03-31"

Row = Mapping[str, Any]

# file name -> {raw table -> rows}. File names carry their extraction time, like the landing
# zone; the later file sorts last.
# fmt: off
RAW_FILES: dict[str, dict[str, Sequence[Row]]] = {
    "erp/customers_2026-01-01T0200.csv": {"erp_customers": [
        {"debtor_id": "D1", "name": "Alpha GmbH", "segment": "B2C", "country": "DE",
         "timezone": "Europe/Berlin", "currency": "EUR", "updated_at": "2026-01-01 02:00:00"},
        {"debtor_id": "D2", "name": "Bob Smith", "segment": "B2C", "country": "US",
         "timezone": "America/New_York", "currency": "USD", "updated_at": "2026-01-01 02:00:00"},
    ]},
    # Correction: D1 is a business customer.
    "erp/customers_2026-02-01T0200.csv": {"erp_customers": [
        {"debtor_id": "D1", "name": "Alpha GmbH", "segment": "B2B", "country": "DE",
         "timezone": "Europe/Berlin", "currency": "EUR", "updated_at": "2026-02-01 02:00:00"},
    ]},
    "erp/invoices_2026-01-15T0200.csv": {"erp_invoices": [
        # Partial payment A1. Corrected version (latest updated_at, though in the earlier file).
        {"invoice_id": "INV-1", "debtor_id": "D1", "invoice_number": "2026-001",
         "document_type": "invoice", "issue_date": "2026-01-10", "due_date": "2026-02-09",
         "amount": "1000.00", "currency": "EUR", "updated_at": "2026-01-11 09:00:00"},
        # Credit note CN-1 of 200.00 on 2026-02-10.
        {"invoice_id": "INV-2", "debtor_id": "D1", "invoice_number": "2026-002",
         "document_type": "invoice", "issue_date": "2026-01-20", "due_date": "2026-01-20",
         "amount": "500.00", "currency": "EUR", "updated_at": "2026-01-20 09:00:00"},
    ]},
    "erp/invoices_2026-02-16T0200.csv": {"erp_invoices": [
        # Never paid: crosses every bucket from 2025-10-31 to 2026-03-31.
        {"invoice_id": "INV-6", "debtor_id": "D2", "invoice_number": "2025-006",
         "document_type": "invoice", "issue_date": "2025-10-15", "due_date": "2025-11-14",
         "amount": "100.00", "currency": "EUR", "updated_at": "2025-10-15 08:00:00"},
        # A stale version of INV-1 repeated by a later file: its older updated_at loses.
        {"invoice_id": "INV-1", "debtor_id": "D1", "invoice_number": "2026-001",
         "document_type": "invoice", "issue_date": "2026-01-10", "due_date": "2026-02-09",
         "amount": "1200.00", "currency": "EUR", "updated_at": "2026-01-10 09:00:00"},
    ]},
    "erp/invoices_2026-02-20T0200.csv": {"erp_invoices": [
        {"invoice_id": "CN-1", "debtor_id": "D1", "invoice_number": "2026-C01",
         "document_type": "credit_note", "reference_invoice_id": "INV-2",
         "issue_date": "2026-02-10", "due_date": "2026-02-10", "amount": "200.00",
         "currency": "EUR", "updated_at": "2026-02-10 09:00:00"},
        # Over-paid (A2) before its due date.
        {"invoice_id": "INV-3", "debtor_id": "D1", "invoice_number": "2026-003",
         "document_type": "invoice", "issue_date": "2026-02-01", "due_date": "2026-03-03",
         "amount": "300.00", "currency": "EUR", "updated_at": "2026-02-01 09:00:00"},
        # Same updated_at as in the next file: the later file's due date (03-17) wins.
        {"invoice_id": "INV-4", "debtor_id": "D2", "invoice_number": "2026-004",
         "document_type": "invoice", "issue_date": "2026-02-15", "due_date": "2026-03-10",
         "amount": "200.00", "currency": "USD", "updated_at": "2026-02-15 09:00:00"},
    ]},
    "erp/invoices_2026-02-21T0200.csv": {"erp_invoices": [
        {"invoice_id": "INV-4", "debtor_id": "D2", "invoice_number": "2026-004",
         "document_type": "invoice", "issue_date": "2026-02-15", "due_date": "2026-03-17",
         "amount": "200.00", "currency": "USD", "updated_at": "2026-02-15 09:00:00"},
    ]},
    "erp/payment_allocations_2026-04-03T0200.csv": {"erp_payment_allocations": [
        # Partial payment of INV-1, bank value date 2026-02-15.
        {"allocation_id": "A1", "payment_ref": "B1", "invoice_id": "INV-1",
         "amount": "400.00", "allocated_at": "2026-02-16 10:00:00"},
        # Over-payment of INV-3 (300.00) on 2026-02-20, before its due date: 50.00 unapplied.
        {"allocation_id": "A2", "payment_ref": "B2", "invoice_id": "INV-3",
         "amount": "350.00", "allocated_at": "2026-02-21 10:00:00"},
        # No bank entry B-MISSING: dated at allocated_at, 2026-03-05.
        {"allocation_id": "A3", "payment_ref": "B-MISSING", "invoice_id": "INV-4",
         "amount": "50.00", "allocated_at": "2026-03-05 10:00:00"},
        # Allocated before as_of, but the bank value date is 2026-04-02: not paid at as_of.
        {"allocation_id": "A4", "payment_ref": "B3", "invoice_id": "INV-4",
         "amount": "100.00", "allocated_at": "2026-03-30 10:00:00"},
    ]},
    "bank/camt053_2026-02-16T0200.xml": {"bank_entries": [
        {"statement_id": "S1", "account_iban": "DE89370400440532013000", "entry_ref": "B1",
         "booking_date": "2026-02-16", "value_date": "2026-02-15", "amount": "400.00",
         "currency": "EUR", "credit_debit": "CRDT", "counterparty_name": "Alpha GmbH"},
    ]},
    "bank/camt053_2026-02-20T0200.xml": {"bank_entries": [
        {"statement_id": "S2", "account_iban": "DE89370400440532013000", "entry_ref": "B2",
         "booking_date": "2026-02-20", "value_date": "2026-02-20", "amount": "350.00",
         "currency": "EUR", "credit_debit": "CRDT"},
        # B1 repeated by the next statement file.
        {"statement_id": "S2", "account_iban": "DE89370400440532013000", "entry_ref": "B1",
         "booking_date": "2026-02-16", "value_date": "2026-02-15", "amount": "400.00",
         "currency": "EUR", "credit_debit": "CRDT", "counterparty_name": "Alpha GmbH"},
    ]},
    "bank/camt053_2026-04-02T0200.xml": {"bank_entries": [
        {"statement_id": "S3", "account_iban": "DE89370400440532013000", "entry_ref": "B3",
         "booking_date": "2026-04-02", "value_date": "2026-04-02", "amount": "100.00",
         "currency": "USD", "credit_debit": "CRDT"},
    ]},
    "fx/fx_rates_2026-03-30T1800.csv": {"fx_rates": [
        # INV-4 (USD) is issued on 2026-02-15: credit sales convert at the issue date's rate.
        {"rate_date": "2026-02-13", "currency": "USD", "rate_to_reporting": "0.8900000000"},
        {"rate_date": "2026-02-27", "currency": "USD", "rate_to_reporting": "0.9000000000"},
        {"rate_date": "2026-03-02", "currency": "USD", "rate_to_reporting": "0.9100000000"},
        {"rate_date": "2026-03-30", "currency": "USD", "rate_to_reporting": "0.9300000000"},
    ]},
    # Corrects the 2026-03-30 rate; 2026-04-01 is after as_of and must not be used.
    "fx/fx_rates_2026-04-01T1800.csv": {"fx_rates": [
        {"rate_date": "2026-03-30", "currency": "USD", "rate_to_reporting": "0.9200000000"},
        {"rate_date": "2026-04-01", "currency": "USD", "rate_to_reporting": "0.9500000000"},
    ]},
    "cases/agents_2026-01-01T0200.jsonl": {"cases_agents": [
        {"agent_id": "AG1", "name": "Chloe Martin", "team": "north", "active_from": "2025-01-01"},
    ]},
    "cases/cases_2026-03-01T0200.jsonl": {"cases_cases": [
        {"case_id": "C1", "debtor_id": "D2", "opened_at": "2026-03-01 08:00:00",
         "placed_amount": "300.00", "currency": "EUR", "strategy": "standard", "agent_id": "AG1",
         "jurisdiction": "US", "updated_at": "2026-03-01 08:00:00"},
    ]},
    "cases/case_events_2026-03-02T0200.jsonl": {"cases_case_events": [
        {"event_id": "E1", "case_id": "C1", "occurred_at": "2026-03-01 09:00:00",
         "event_type": "stage_changed", "actor_id": "system", "payload": '{"stage": "reminder"}'},
        {"event_id": "E2", "case_id": "C1", "occurred_at": "2026-03-02 10:30:00",
         "event_type": "promise_made", "actor_id": "AG1",
         "payload": '{"promise_id": "P1", "amount": 250.5, "currency": "EUR", '
                    '"promised_date": "2026-03-20"}'},
    ]},
    "contacts/calls_2026-03-02T0200.csv": {"contacts_calls": [
        {"contact_id": "K1", "case_id": "C1", "debtor_id": "D2", "agent_id": "AG1",
         "direction": "outbound", "started_at": "2026-03-02 10:00:00", "duration_s": 300,
         "outcome": "promise_to_pay"},
    ]},
    "contacts/messages_2026-03-02T0200.jsonl": {"contacts_messages": [
        {"contact_id": "M1", "case_id": "C1", "debtor_id": "D2", "channel": "letter",
         "direction": "outbound", "sent_at": "2026-03-01 12:00:00",
         "template_id": "first_notice", "outcome": "sent"},
    ]},
}
# fmt: on


def insert_raw_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source_file: str,
    rows: Sequence[Row],
    loaded_at: str = "2026-04-03 06:00:00",
) -> None:
    """Append `rows` to raw.<table> with load metadata, as ingestion would (a load after a
    build must pass a later `loaded_at`, as ingestion does: incremental staging takes what
    was loaded since its last build)."""
    for number, row in enumerate(rows, start=1):
        record = {
            **row,
            "_source_file": source_file,
            "_source_row": number,
            "_loaded_at": loaded_at,
            "_batch_id": f"batch-{source_file}",
            "_extracted_at": extracted_at(source_file.rsplit("/", 1)[-1]),
        }
        columns = ", ".join(record)
        params = ", ".join("?" for _ in record)
        con.execute(f"insert into raw.{table} ({columns}) values ({params})", list(record.values()))


def build_raw_warehouse(path: Path, files: Mapping[str, Mapping[str, Sequence[Row]]]) -> None:
    """Create every raw table from the contracts and load the given files' rows."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        for source in SOURCES:
            con.execute(raw_table_ddl(source))
        for source_file, tables in files.items():
            for table, rows in tables.items():
                insert_raw_rows(con, table, source_file, rows)


@dataclass(frozen=True)
class DbtRun:
    warehouse: Path
    returncode: int
    output: str
    statuses: dict[str, str]  # node name -> status, from run_results.json
    seconds: float


def dbt_vars(**overrides: Any) -> str:
    """The `--vars` argument a build gets: the shipped configuration, plus `overrides`."""
    return json.dumps(load_config(DEFAULT_CONFIG).dbt_vars() | overrides)


def run_dbt(
    args: list[str], warehouse: Path, work_dir: Path, env: Mapping[str, str] | None = None
) -> DbtRun:
    """Run the venv's dbt on `warehouse` in a subprocess (dbt-duckdb keeps its connection open
    for the life of the process), keeping target/ and logs/ in work_dir. Pass `--vars` with
    `dbt_vars(...)`, as the Dagster build does; `env`: more environment variables."""
    target = work_dir / "target"
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target),
        "--log-path", str(work_dir / "logs"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "AMICABLE_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
        **(env or {}),
    }
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {_node_name(r["unique_id"]): r["status"] for r in results}
    return DbtRun(warehouse, done.returncode, done.stdout + done.stderr, statuses, seconds)


def _node_name(unique_id: str) -> str:
    """`model.amicable.x` and `test.amicable.x.<hash>` -> x; `unit_test.amicable.m.x` -> m::x."""
    kind, _package, *rest = unique_id.split(".")
    return "::".join(rest) if kind == "unit_test" else rest[0]


_CATALOG = "amicable_compiled_sql"  # the compile-time warehouse's name, dropped from the SQL
STAGING = "path:models/staging,resource_type:model"


@functools.cache
def compiled_models(selector: str) -> dict[str, tuple[str, str]]:
    """name -> (schema, select) of each model `selector` picks, as dbt compiles it (`dbt
    compile`, once per selector and test session), relations named `schema.table`: the real
    models' SQL, runnable on any DuckDB connection that holds what they read."""
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        run = run_dbt(
            ["compile", "--select", selector, "--vars", dbt_vars(as_of=AS_OF)],
            work_dir / f"{_CATALOG}.duckdb",
            work_dir,
        )
        assert run.returncode == 0, run.output
        manifest = json.loads((work_dir / "target" / "manifest.json").read_text())
    return {
        node["name"]: (node["schema"], node["compiled_code"].replace(f'"{_CATALOG}".', ""))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("compiled_code")
    }


def build_models(con: duckdb.DuckDBPyConnection, selector: str) -> None:
    """(Re)build the tables of the models `selector` picks over `con`, as dbt would."""
    for name, (schema, select) in compiled_models(selector).items():
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace table {schema}.{name} as {select}")


def staging_models() -> dict[str, str]:
    """Each staging model's select as dbt compiles it: the real `deduplicate_latest` rule."""
    return {name: select for name, (_, select) in compiled_models(STAGING).items()}


def build_staging(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every `staging.stg_*` table from the raw tables over `con`, as dbt would."""
    build_models(con, STAGING)
