"""The worked example: IBM's public accounts-receivable sample, read where it lies in
`../shared/realdata/ibm_ar/` (never copied into the repository), through the four mappings of
`mappings/ibm_ar/`, loads with no row rejected or quarantined; each settled invoice is paid in
full by one booked credit on its settled date."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema, ingest_source

REAL = Path("/work/shared/realdata/ibm_ar/WA_Fn-UseC_-Accounts-Receivable.csv")
MAPPINGS = Path(__file__).resolve().parents[2] / "mappings" / "ibm_ar"
TABLES = {
    "customers": "erp_customers",
    "invoices": "erp_invoices",
    "bank_payments": "bank_entries",
    "payment_allocations": "erp_payment_allocations",
}
pytestmark = pytest.mark.skipif(not REAL.is_file(), reason=f"{REAL} is not on this machine")


def import_ibm_sample(landing: Path) -> None:
    for name in TABLES:
        args = ["import", "--mapping", str(MAPPINGS / f"{name}.yml"), "--input", str(REAL)]
        assert main([*args, "--landing", str(landing), "--extracted-at", "2014-01-31T0200"]) == 0


def raw_rows() -> list[dict[str, str]]:
    with REAL.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ibm_sample_loads_every_row_without_quarantine(
    landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import_ibm_sample(landing)
    printed = capsys.readouterr().out
    assert printed.count("rows in 2466: out 2466, rejected 0, skipped by the mapping 0") == 3
    assert "out 100, rejected 0, skipped by the mapping 0, 2366 folded" in printed
    assert not (landing / "_rejected").exists()
    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    by_table = {s.name: s for s in SOURCES}
    for table in TABLES.values():
        report = ingest_source(con, landing, by_table[table], "b1", datetime(2014, 2, 1))
        assert report.rows_quarantined == 0, table
    rows = raw_rows()
    customers = {r["customerID"] for r in rows}
    assert con.execute("select count(*) from raw.erp_customers").fetchone() == (len(customers),)
    invoiced = sum(Decimal(r["InvoiceAmount"]) for r in rows)
    assert con.execute("select sum(amount) from raw.erp_invoices").fetchone() == (invoiced,)
    first = rows[0]
    month, day, year = (int(p) for p in first["SettledDate"].split("/"))
    paid = con.execute(
        """
        select b.value_date, b.amount, b.credit_debit, b.entry_status, a.amount
        from raw.erp_payment_allocations as a
        inner join raw.bank_entries as b on b.entry_ref = a.payment_ref
        where a.invoice_id = ?
        """,
        [first["invoiceNumber"]],
    ).fetchall()
    amount = Decimal(first["InvoiceAmount"])
    assert paid == [(date(year, month, day), amount, "CRDT", "BOOK", amount)]
    unmatched = con.execute(
        """
        select count(*) from raw.erp_payment_allocations as a
        left join raw.bank_entries as b on b.entry_ref = a.payment_ref and b.amount = a.amount
        where b.entry_ref is null
        """
    ).fetchone()
    assert unmatched == (0,)
