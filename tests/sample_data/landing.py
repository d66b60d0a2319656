"""Test helpers: read a generated landing zone back and check rows against the contracts,
independently of the generator's code and of `ingestion/` (only `ingestion.contracts` and the
currency list are shared, since they are the contract)."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from ingestion.contracts import EVENT_PAYLOAD_KEYS, SOURCES, SOURCES_BY_NAME, Field, SourceTable
from ingestion.currencies import ISO_4217

NS = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AMOUNT_RE = re.compile(r"^\d+(\.\d{1,2})?$")
RATE_RE = re.compile(r"^\d+(\.\d{1,10})?$")


@dataclass(frozen=True)
class Row:
    table: str
    file: str  # relative to the landing zone
    row: int  # CSV physical line, JSONL line, camt.053 entry ordinal
    values: dict | None  # None: the line is not a JSON object
    raw: str = ""


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def files_of(out: Path, source: SourceTable) -> list[Path]:
    return sorted(p for p in (out / source.folder).glob(source.pattern) if p.is_file())


def read_rows(out: Path, source: SourceTable) -> list[Row]:
    rows: list[Row] = []
    for path in files_of(out, source):
        rel = path.relative_to(out).as_posix()
        if source.fmt == "csv":
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader)
                for n, values in enumerate(reader, start=2):
                    rows.append(Row(source.name, rel, n, dict(zip(header, values, strict=True))))
        elif source.fmt == "jsonl":
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    obj = None
                rows.append(Row(source.name, rel, n, obj if isinstance(obj, dict) else None, line))
        else:
            for n, entry in enumerate(camt_entries(path), start=1):
                rows.append(Row(source.name, rel, n, entry))
    return rows


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def _text(elem: ET.Element, path: str) -> str | None:
    found = elem.find(path, NS)
    return None if found is None else found.text


def camt_entries(path: Path) -> list[dict]:
    root = ET.parse(path).getroot()
    stmt = root.find("c:BkToCstmrStmt/c:Stmt", NS)
    assert stmt is not None, f"{path}: no Stmt"
    entries = []
    for ntry in stmt.findall("c:Ntry", NS):
        credit = _text(ntry, "c:CdtDbtInd") == "CRDT"
        role = "Dbtr" if credit else "Cdtr"
        tx = "c:NtryDtls/c:TxDtls"
        amt = ntry.find("c:Amt", NS)
        entries.append(
            {
                "statement_id": _text(stmt, "c:Id"),
                "account_iban": _text(stmt, "c:Acct/c:Id/c:IBAN"),
                "entry_ref": _text(ntry, "c:AcctSvcrRef"),
                "booking_date": _text(ntry, "c:BookgDt/c:Dt"),
                "value_date": _text(ntry, "c:ValDt/c:Dt"),
                "amount": None if amt is None else amt.text,
                "currency": None if amt is None else amt.get("Ccy"),
                "credit_debit": _text(ntry, "c:CdtDbtInd"),
                "is_reversal": "true" if _text(ntry, "c:RvslInd") in ("true", "1") else "false",
                "entry_status": _text(ntry, "c:Sts"),
                "bank_transaction_code": "/".join(
                    _text(ntry, f"c:BkTxCd/c:Domn/{code}") or ""
                    for code in ("c:Cd", "c:Fmly/c:Cd", "c:Fmly/c:SubFmlyCd")
                ).strip("/")
                or None,
                "counterparty_name": _text(ntry, f"{tx}/c:RltdPties/c:{role}/c:Nm"),
                "counterparty_iban": _text(ntry, f"{tx}/c:RltdPties/c:{role}Acct/c:Id/c:IBAN"),
                "remittance_info": _text(ntry, f"{tx}/c:RmtInf/c:Ustrd"),
                "status": _text(ntry, "c:Sts"),
            }
        )
    return entries


def _kind_ok(f: Field, value: object, row: dict) -> bool:
    if f.kind == "json":
        if not isinstance(value, dict):
            return False
        keys = EVENT_PAYLOAD_KEYS.get(row.get("event_type") or "", ())
        return all(value.get(k) not in (None, "") for k in keys)
    if not isinstance(value, str):
        return False
    if f.kind == "date":
        return bool(DATE_RE.match(value)) and _parses(date.fromisoformat, value)
    if f.kind == "timestamp":
        return bool(TS_RE.match(value)) and _parses(datetime.fromisoformat, value[:-1])
    if f.kind == "amount":
        return bool(AMOUNT_RE.match(value)) and Decimal(value) > 0
    if f.kind == "rate":
        return bool(RATE_RE.match(value)) and Decimal(value) > 0
    if f.kind == "integer":
        return value.isdigit()
    if f.kind == "currency":
        return value in ISO_4217
    if f.kind == "country":
        return bool(re.fullmatch(r"[A-Z]{2}", value))
    if f.kind == "timezone":
        return value in _zones()
    if f.kind == "enum":
        return value in f.allowed
    if f.kind == "boolean":
        return value in ("true", "false")
    return f.kind == "text"


def _parses(parse, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def violations(row: Row) -> list[str | None]:
    """Fields of the row that break the contract ([None] for a line that is not JSON)."""
    if row.values is None:
        return [None]
    source = SOURCES_BY_NAME[row.table]
    bad: list[str | None] = []
    for f in source.fields:
        value = row.values.get(f.name)
        if value is None or value == "":
            if f.required:
                bad.append(f.name)
        elif not _kind_ok(f, value, row.values):
            bad.append(f.name)
    if row.table == "erp_invoices" and not bad:
        v = row.values
        is_credit = v["document_type"] == "credit_note"
        if is_credit != bool(v.get("reference_invoice_id")):
            bad.append("reference_invoice_id")
        if v["due_date"] < v["issue_date"]:
            bad.append("due_date")
    if row.table == "bank_entries" and not bad and row.values["entry_status"] != "BOOK":
        bad.append("entry_status")
    return bad


def all_rows(out: Path) -> list[Row]:
    return [r for s in SOURCES for r in read_rows(out, s)]


def labels(out: Path, name: str = "defects") -> list[dict]:
    path = out / "_labels" / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def valid_rows(out: Path, table: str) -> list[dict]:
    """Rows of a table that pass the contract, in file order (files sorted by name)."""
    return list(_valid_rows(out, table))


@cache
def _valid_rows(out: Path, table: str) -> tuple[dict, ...]:
    source = SOURCES_BY_NAME[table]
    return tuple(r.values for r in read_rows(out, source) if r.values and not violations(r))


def latest(rows: list[dict], key: str, order: str | None = None) -> dict[str, dict]:
    """One row per key: the latest by `order` (then the latest file), as staging keeps it."""
    best: dict[str, dict] = {}
    for row in rows:
        old = best.get(row[key])
        if old is None or order is None or row[order] >= old[order]:
            best[row[key]] = row
    return best
