"""The ERPNext worked example (`mappings/erpnext_ar/`): an export of ERPNext's "Accounts
Receivable" report, in the report's own column layout, imports to customers and invoices that
the normal ingestion loads without quarantine; payment and journal entries are skipped, a
return invoice and an unknown customer group are rejected with their values."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from amicable.cli import main
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings" / "erpnext_ar"
STAMP = "2026-11-20T0200"
# The report's columns for party type Customer (accounts_receivable.py, get_columns).
HEADER = [
    "Posting Date", "Party Type", "Party", "Receivable Account", "Customer Contact",
    "Customer Name", "Cost Center", "Voucher Type", "Voucher No", "Due Date", "Invoiced Amount",
    "Paid Amount", "Credit Note", "Outstanding Amount", "Age (Days)", "0-30", "31-60", "61-90",
    "91-120", "121-Above", "Currency", "Customer LPO", "Territory", "Customer Group",
]  # fmt: skip


def row(posting: str, party: str, name: str, voucher_type: str, voucher: str, due: str,
        invoiced: str, group: str) -> list[str]:  # fmt: skip
    return [posting, "Customer", party, "Debtors - AC", "", name, "Main - AC", voucher_type,
            voucher, due, invoiced, "0.00", "0.00", invoiced, "10", invoiced, "0.00", "0.00",
            "0.00", "0.00", "EUR", "", "Germany", group]  # fmt: skip


ROWS = [
    row("03-11-2026", "CUST-0001", "Alpha GmbH", "Sales Invoice", "ACC-SINV-2026-00017",
        "03-12-2026", "1,250.00", "Commercial"),
    row("29-02-2024", "CUST-0002", "Bea Braun", "Sales Invoice", "ACC-SINV-2024-00003",
        "30-03-2024", "80.50", "Individual"),
    row("05-11-2026", "CUST-0001", "Alpha GmbH", "Payment Entry", "ACC-PAY-2026-00009",
        "05-11-2026", "0.00", "Commercial"),  # unallocated money: skipped
    row("06-11-2026", "CUST-0001", "Alpha GmbH", "Sales Invoice", "ACC-SINV-2026-00021",
        "06-11-2026", "-50.00", "Commercial"),  # a return invoice: rejected
    row("07-11-2026", "CUST-0003", "Gamma Ltd", "Sales Invoice", "ACC-SINV-2026-00022",
        "07-12-2026", "10.00", "Wholesale"),  # a group the map does not list
    [""] * 10 + ["1,340.50"] + [""] * 13,  # the report's total row: no party, skipped
]  # fmt: skip


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "Accounts Receivable.csv"
    pl.DataFrame([HEADER, *ROWS], orient="row").write_csv(path, include_header=False)
    return path


def imported(table: str, export: Path, landing: Path) -> int:
    return main(["import", "--mapping", str(MAPPINGS / f"{table}.yml"), "--input", str(export),
                 "--landing", str(landing), "--extracted-at", STAMP])  # fmt: skip


def test_the_report_imports_to_invoices_and_customers_that_load_without_quarantine(
    export: Path, landing: Path
) -> None:
    assert imported("invoices", export, landing) == 0
    assert imported("customers", export, landing) == 0

    invoices = pl.read_csv(landing / f"erp/invoices_{STAMP}.csv", infer_schema=False)
    assert invoices.select("invoice_id", "issue_date", "due_date", "amount").rows() == [
        ("ACC-SINV-2026-00017", "2026-11-03", "2026-12-03", "1250.00"),
        ("ACC-SINV-2024-00003", "2024-02-29", "2024-03-30", "80.50"),
        ("ACC-SINV-2026-00022", "2026-11-07", "2026-12-07", "10.00"),
    ]
    rejected = pl.read_csv(landing / f"_rejected/invoices_{STAMP}.rejected.csv", infer_schema=False)
    assert rejected.select("_field", "_value", "Voucher No").rows() == [
        ("amount", "-50.00", "ACC-SINV-2026-00021")
    ]
    customers = pl.read_csv(landing / f"erp/customers_{STAMP}.csv", infer_schema=False)
    assert sorted(customers.select("debtor_id", "name", "segment").rows()) == [
        ("CUST-0001", "Alpha GmbH", "B2B"),
        ("CUST-0002", "Bea Braun", "B2C"),
    ]
    rejected = pl.read_csv(
        landing / f"_rejected/customers_{STAMP}.rejected.csv", infer_schema=False
    )
    assert rejected.select("_field", "_value", "Party").rows() == [
        ("segment", "Wholesale", "CUST-0003")
    ]

    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    for source in ("erp_invoices", "erp_customers"):
        report = ingest_source(con, landing, SOURCES_BY_NAME[source], "b1", datetime(2026, 12, 1))
        (file,) = report.files
        assert file.rows_quarantined == 0 and file.rows_loaded == file.rows_read > 0
    assert con.execute("select sum(amount), min(issue_date) from raw.erp_invoices").fetchone() == (
        Decimal("1340.50"),
        date(2024, 2, 29),
    )
