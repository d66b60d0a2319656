"""A tmp DuckDB warehouse with the raw tables, built from the ingestion contracts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pytest

from ingestion.contracts import SOURCES_BY_NAME, raw_table_ddl

INVOICE_COLUMNS = [
    "invoice_id",
    "debtor_id",
    "invoice_number",
    "document_type",
    "reference_invoice_id",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "updated_at",
    "_source_file",
    "_source_row",
]
# fmt: off
CLEAN_INVOICES: list[tuple[object, ...]] = [
    ("INV-1", "D-1", "N-1", "invoice", None, "2026-01-05", "2026-02-04", "120.50", "EUR",
     "2026-01-05 10:00:00", "invoices_2026-01-06T0200.csv", 1),
    ("INV-2", "D-2", "N-2", "invoice", None, "2026-01-07", "2026-01-07", "80.00", "USD",
     "2026-01-07 10:00:00", "invoices_2026-01-08T0200.csv", 1),
    ("CN-1", "D-1", "N-3", "credit_note", "INV-1", "2026-01-10", "2026-01-10", "20.00", "EUR",
     "2026-01-10 10:00:00", "invoices_2026-01-11T0200.csv", 1),
    # a correction of INV-1 in a later file: a repeated key is legitimate in raw
    ("INV-1", "D-1", "N-1", "invoice", None, "2026-01-05", "2026-02-04", "110.50", "EUR",
     "2026-01-09 10:00:00", "invoices_2026-01-11T0200.csv", 2),
]
# fmt: on
BANK_COLUMNS = [
    "statement_id",
    "account_iban",
    "entry_ref",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "credit_debit",
    "counterparty_name",
    "counterparty_iban",
    "_source_file",
    "_source_row",
]
# fmt: off
CLEAN_BANK: list[tuple[object, ...]] = [
    ("ST-1", "DE89370400440532013000", "E-1", "2026-01-12", "2026-01-12", "100.00", "EUR",
     "CRDT", "ACME", "FR1420041010050500013M02606", "stmt_1.xml", 1),
    ("ST-1", "DE89370400440532013000", "E-2", "2026-01-12", "2026-01-13", "5.00", "EUR",
     "DBIT", None, None, "stmt_1.xml", 2),
    # the same entry re-sent in the next statement file: legitimate
    ("ST-2", "DE89370400440532013000", "E-2", "2026-01-12", "2026-01-13", "5.00", "EUR",
     "DBIT", None, None, "stmt_2.xml", 1),
]
# fmt: on

Warehouse = Callable[..., Path]


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: Sequence[tuple]
) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in columns)
    con.executemany(
        f"insert into raw.{table} ({', '.join(columns)}) values ({marks})", [list(r) for r in rows]
    )


def _each_file_its_own_load(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """`_loaded_at` as if each file had been loaded by its own run, in name order."""
    con.execute(
        f"update raw.{table} set _loaded_at = loads.loaded_at from ("
        " select _source_file as file, timestamp '2026-02-01'"
        " + to_minutes(cast(row_number() over (order by _source_file) as bigint)) as loaded_at"
        f" from (select distinct _source_file from raw.{table})"
        ") as loads where loads.file = _source_file"
    )


@pytest.fixture
def make_warehouse(tmp_path: Path) -> Warehouse:
    """Build `warehouse.duckdb` with the given invoice and bank rows; returns its path."""

    def build(
        invoices: Sequence[tuple] = CLEAN_INVOICES, bank: Sequence[tuple] = CLEAN_BANK
    ) -> Path:
        path = tmp_path / "warehouse.duckdb"
        path.unlink(missing_ok=True)
        with duckdb.connect(str(path)) as con:
            con.execute("create schema if not exists raw")
            for name in ("erp_invoices", "bank_entries"):
                con.execute(raw_table_ddl(SOURCES_BY_NAME[name]))
            _insert(con, "erp_invoices", INVOICE_COLUMNS, invoices)
            _insert(con, "bank_entries", BANK_COLUMNS, bank)
            for name in ("erp_invoices", "bank_entries"):
                _each_file_its_own_load(con, name)
        return path

    return build
