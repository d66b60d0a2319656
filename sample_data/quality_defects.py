"""Data-quality defects planted in a generated landing zone, each labelled with the check meant
to catch it (`amicable generate --quality-defects`).

The defects of `sample_data.defects` break the row contract and end in quarantine; these pass
it, are loaded into `raw.*`, and must be flagged by the data-quality checks (levels of
`data_quality.policy`):

- an allocation to an invoice the ERP does not know: `allocations_reference_known_invoices`
  (row);
- more cash allocated than the bank entry received: `payments_reconcile_to_allocations`
  (row);
- a call on a case the case tool does not know: `contacts_calls_reference_known_cases`
  (row);
- cash applied before its invoice was issued: `allocations_paid_on_or_after_issue` (warning).

One row each, far below `quality.max_failing_row_share`: they are flagged with their keys
and the build publishes. An unknown supervisor, a missing FX rate and a blocking share are
planted by `tests/end_to_end/test_blocking_check.py`.

The defects are written as extra files stamped at 23:00 on the sample's as-of date (after its
last extract, so they are the latest rows) and labelled in
`<landing>/_labels/quality_defects.jsonl` (defect, check, asset, key: a text the check's
failing keys contain, level).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from ingestion.contracts import SOURCES_BY_NAME
from ingestion.readers import read_camt053, read_csv
from sample_data.writers import TableSink

LABELS = "quality_defects.jsonl"


def _rows(landing: Path, source: str) -> list[dict[str, str]]:
    """The rows of every `source` file of the sample, read as ingestion reads them."""
    table = SOURCES_BY_NAME[source]
    rows: list[dict[str, str]] = []
    for path in sorted((landing / table.folder).glob(table.pattern)):
        rows += read_csv(path, table).rows.drop("_source_row").to_dicts()
    return rows


def _write(landing: Path, source: str, stamp: str, rows: list[dict[str, str]]) -> None:
    """One extraction file of `source` stamped `stamp`, written as the generator writes."""
    sink = TableSink(landing, source, [stamp], cutoff=None)
    try:
        for row in rows:
            sink.write(row)
    finally:
        sink.close()


def _bank_credit(landing: Path, currency: str) -> dict[str, str]:
    """A received payment (CRDT entry) in `currency`, from the sample's bank statements."""
    bank = SOURCES_BY_NAME["bank_entries"]
    for path in sorted((landing / bank.folder).glob(bank.pattern)):
        for entry in read_camt053(path, bank).rows.iter_rows(named=True):
            if entry["credit_debit"] == "CRDT" and entry["currency"] == currency:
                return entry
    raise ValueError(f"no {currency} bank receipt in {landing}: generate a sample first")


def plant_quality_defects(landing: Path) -> list[dict[str, object]]:
    """Write the defects into `landing` (a generated sample) and return their labels."""
    summary = landing / "_labels" / "summary.json"
    if not summary.is_file():
        raise ValueError(f"{landing} holds no generated sample (no {summary.name}): generate one")
    stamp = f"{json.loads(summary.read_text(encoding='utf-8'))['as_of']}T2300"
    invoices = [r for r in _rows(landing, "erp_invoices") if r["document_type"] == "invoice"]
    if not invoices:
        raise ValueError(f"no invoice in {landing}: generate a sample first")
    invoice = invoices[0]
    entry = _bank_credit(landing, invoice["currency"])
    issued = date.fromisoformat(invoice["issue_date"])

    allocation = {"payment_ref": entry["entry_ref"], "allocated_at": f"{issued}T12:00:00Z"}
    early = issued - timedelta(days=10)
    allocations = [
        dict(allocation, allocation_id="ALQ-ORPHAN", invoice_id="INQ-UNKNOWN", amount="10.00"),
        dict(
            allocation,
            allocation_id="ALQ-OVER",
            invoice_id=invoice["invoice_id"],
            amount=f"{float(entry['amount']) + 500:.2f}",
        ),
        dict(
            allocation_id="ALQ-EARLY",
            payment_ref="PAYQ-EARLY",
            invoice_id=invoice["invoice_id"],
            amount="1.00",
            allocated_at=f"{early}T12:00:00Z",
        ),
    ]
    _write(landing, "erp_payment_allocations", stamp, allocations)
    call = _rows(landing, "contacts_calls")[0]
    _write(
        landing,
        "contacts_calls",
        stamp,
        [dict(call, contact_id="CLQ-UNKNOWN-CASE", case_id="CSQ-UNKNOWN")],
    )
    labels: list[dict[str, object]] = [
        _label(
            "orphan_allocation",
            "allocations_reference_known_invoices",
            "raw/erp_payment_allocations",
            "ALQ-ORPHAN -> INQ-UNKNOWN",
        ),
        _label(
            "over_allocation",
            "payments_reconcile_to_allocations",
            "raw/erp_payment_allocations",
            f"{entry['entry_ref']} ({entry['currency']})",
        ),
        _label(
            "contact_on_unknown_case",
            "contacts_calls_reference_known_cases",
            "raw/contacts_calls",
            "CLQ-UNKNOWN-CASE -> CSQ-UNKNOWN",
        ),
        _label(
            "paid_before_issue",
            "allocations_paid_on_or_after_issue",
            "raw/erp_payment_allocations",
            f"ALQ-EARLY -> {invoice['invoice_id']}",
            level="warning",
        ),
    ]
    labels_dir = landing / "_labels"
    labels_dir.mkdir(exist_ok=True)
    with (labels_dir / LABELS).open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(label, sort_keys=True) + "\n" for label in labels)
    return labels


def _label(defect: str, check: str, asset: str, key: str, level: str = "row") -> dict:
    return {"defect": defect, "check": check, "asset": asset, "key": key, "level": level}
