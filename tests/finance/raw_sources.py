"""The sample landing zone read straight from its files, independently of ingestion and dbt.

CSV with polars (every column as text), camt.053 with xml.etree. Rows the generator labelled
as quarantined (`_labels/defects.jsonl`, expect quarantine or reject_file) are skipped; then per
key the latest `updated_at` (when the source has one), then the latest file, then the latest
row wins.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

CAMT = "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.02}"


def skipped_rows(landing: Path) -> set[tuple[str, int]]:
    """(file, row) of every row the defect labels expect in quarantine or a rejected file."""
    text = (landing / "_labels" / "defects.jsonl").read_text(encoding="utf-8")
    labels = [json.loads(line) for line in text.splitlines() if line]
    return {
        (label["file"], int(label["row"]))
        for label in labels
        if label["expect"] in ("quarantine", "reject_file")
    }


def read_csv_rows(landing: Path, pattern: str, skipped: set[tuple[str, int]]) -> list[dict]:
    """Rows of every file matching `pattern`, with `_file` and `_row` (physical line number)."""
    rows: list[dict] = []
    for path in sorted(landing.glob(pattern)):
        name = path.relative_to(landing).as_posix()
        frame = pl.read_csv(path, infer_schema=False)
        for number, row in enumerate(frame.iter_rows(named=True), start=2):
            if (name, number) not in skipped:
                rows.append(row | {"_file": name, "_row": number})
    return rows


def read_bank_value_dates(landing: Path, skipped: set[tuple[str, int]]) -> dict[str, date]:
    """entry_ref (AcctSvcrRef) -> value date; a later statement file wins."""
    value_dates: dict[str, date] = {}
    for path in sorted(landing.glob("bank/*.xml")):
        name = path.relative_to(landing).as_posix()
        entries = ET.parse(path).getroot().iter(f"{CAMT}Ntry")
        for number, entry in enumerate(entries, start=1):
            if (name, number) in skipped:
                continue
            ref = entry.findtext(f"{CAMT}AcctSvcrRef")
            value = entry.findtext(f"{CAMT}ValDt/{CAMT}Dt")
            assert ref and value, f"{name} entry {number}: no AcctSvcrRef or ValDt/Dt"
            value_dates[ref] = date.fromisoformat(value)
    return value_dates


def latest(rows: list[dict], key: str, updated_at: str | None) -> dict[str, dict]:
    def order(row: dict) -> tuple:
        return (row[updated_at] if updated_at else "", row["_file"], row["_row"])

    winners: dict[str, dict] = {}
    for row in sorted(rows, key=order):
        winners[row[key]] = row
    return winners


@dataclass(frozen=True)
class Ledger:
    invoices: dict[str, dict]  # invoice_id -> row (amount Decimal, dates as date)
    segments: dict[str, str]  # debtor_id -> segment
    payments: list[tuple[str, date, Decimal]]  # (invoice_id, payment date, amount)
    rates: dict[str, list[tuple[date, Decimal]]]  # currency -> sorted (rate_date, rate)


def read_ledger(landing: Path) -> Ledger:
    skipped = skipped_rows(landing)
    invoices = latest(
        read_csv_rows(landing, "erp/invoices_*.csv", skipped), "invoice_id", "updated_at"
    )
    for row in invoices.values():
        row["amount"] = Decimal(row["amount"])
        row["issue_date"] = date.fromisoformat(row["issue_date"])
        row["due_date"] = date.fromisoformat(row["due_date"])
    customers = latest(
        read_csv_rows(landing, "erp/customers_*.csv", skipped), "debtor_id", "updated_at"
    )
    allocations = latest(
        read_csv_rows(landing, "erp/payment_allocations_*.csv", skipped),
        "allocation_id",
        "allocated_at",
    )
    value_dates = read_bank_value_dates(landing, skipped)
    payments = [
        (
            row["invoice_id"],
            value_dates.get(row["payment_ref"]) or date.fromisoformat(row["allocated_at"][:10]),
            Decimal(row["amount"]),
        )
        for row in allocations.values()
    ]
    fx_rows: dict[tuple[str, str], dict] = {}
    for row in read_csv_rows(landing, "fx/fx_rates_*.csv", skipped):
        fx_rows[(row["rate_date"], row["currency"])] = row  # files sorted: the later file wins
    rates: dict[str, list[tuple[date, Decimal]]] = {}
    for (rate_date, currency), row in sorted(fx_rows.items()):
        rates.setdefault(currency, []).append(
            (date.fromisoformat(rate_date), Decimal(row["rate_to_reporting"]))
        )
    segments = {debtor: row["segment"] for debtor, row in customers.items()}
    return Ledger(invoices, segments, payments, rates)
