"""SWIFT MT940 bank statements into the bank-entries columns of camt.053 (`ingestion.camt053`).

Parsed with the maintained `mt-940` package (every fix of `mt940.Options.all()` on: a reversal
of a credit is signed like the debit it is, `?31` of a structured `:86:` is the counterparty's
account, a byte-order mark is dropped...). Each statement (a block from one `:20:` to the next)
is parsed on its own, so one statement that does not parse costs only its own entries, each
accounted for with the reason.

One row per `:61:` entry, numbered from 1 through the file (the `_source_row`). Fields:
- statement_id: the `:20:` reference, then `/` and the `:28C:` statement/sequence number
  when the statement has one (`T089413946000001/00004/00001`);
- account_iban: the `:25:` account as the bank writes it (an IBAN, or bank code/account);
- booking_date: the `:61:` entry date (MMDD; its year is the value date's, moved a year when
  the dates straddle a new year), else the value date; value_date: the `:61:` value date;
- amount (unsigned), currency (of the statement's balances), credit_debit: `C` and `RD`
  (reversal of a debit: money back in) are CRDT, `D` and `RC` (reversal of a credit: money
  out) are DBIT; is_reversal: the mark is `RC` or `RD`;
- entry_status: BOOK (an MT940 statement reports booked entries; MT942 reports the others);
- bank_transaction_code: the `:61:` transaction type (`NTRF`), then `+` and the `:86:`
  business transaction code when the bank gives one (`NTRF+166`, as German banks write the
  proprietary code of their camt.053);
- counterparty_name, counterparty_iban and remittance_info (the purpose, `SVWZ+` or `?20`-`?29`)
  from a structured `:86:`; from an unstructured one, remittance_info is its text.

entry_ref, the bank's own reference when it gives one (the part after `//` of the `:61:`):
as is for a credit (`C`), what an ERP records against a payment received; followed by `/` and
the mark for a debit or a reversal (`0724710352954937/D`, `.../RC`), because a bank books
both sides of a transfer between two accounts of the same customer, and a reversal, under the
reference of the original entry. An entry without a bank reference (none, or `NONREF`) gets
`<statement_id>/<ordinal of the entry in its statement>/<first 12 hex digits of the SHA-256 of
its account and its text as written, :61: and :86: lines>`: the same file loaded again gives
the same references (idempotent), whatever version of the parser reads it, and two identical
entries of one statement (two equal fees) stay two entries.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import mt940

from ingestion.camt053 import FIELDS  # the same columns, in the same order

OPTIONS = mt940.Options.all()
# mt940 logs a tag that does not match at ERROR, pattern and all, over several lines; this
# reader reports it itself, in one line per entry (`read_entries`).
logging.getLogger("mt940").addHandler(logging.NullHandler())
logging.getLogger("mt940").propagate = False
CREDIT_MARKS = ("C", "RD")
NO_REFERENCE = ("", "NONREF")
_STATEMENT_START = re.compile(r"(?m)^(?=:20:)")
_ENTRY_TAG = re.compile(r"(?m)^:61:")
_CLOSING_TAG = re.compile(r"(?m)^:6[2-5][A-Z]?:")


class Mt940Error(Exception):
    """The file is not a readable MT940 statement."""


@dataclass
class Unparsed:
    """An entry that could not be read: its ordinal in the file, why, and its `:61:` line."""

    row: int
    reason: str
    record: str


@dataclass
class Entries:
    columns: dict[str, list[str | None]] = field(
        default_factory=lambda: {name: [] for name in FIELDS}
    )
    rows: list[int] = field(default_factory=list)  # ordinal in the file of each row
    unparsed: list[Unparsed] = field(default_factory=list)


def decode(content: bytes) -> str:
    """UTF-8 text, else ISO 8859-1 (Latin-1), which German banks write and which decodes any
    byte; a byte-order mark is dropped."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _statement_id(data: dict[str, Any]) -> str | None:
    reference = _text(data.get("transaction_reference"))
    number = _text(data.get("statement_number"))
    sequence = _text(data.get("sequence_number"))
    if reference is None:
        return None
    suffix = "/".join(p for p in (number, sequence) if p)
    return f"{reference}/{suffix}" if suffix else reference


def _statement_currency(data: dict[str, Any]) -> str | None:
    for key in ("final_opening_balance", "opening_balance", "intermediate_opening_balance"):
        balance = data.get(key)
        if balance is not None and balance.amount.currency:
            return str(balance.amount.currency)
    return None


def _content_hash(account: str | None, text: str) -> str:
    """The entry's own text (its `:61:` and `:86:` lines, spaces at line ends dropped), with
    its account: independent of how a parser version splits the details."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    content = "\n".join([account or "", *lines])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:12]


def _entry_ref(
    statement_id: str | None, ordinal: int, account: str | None, data: dict, text: str
) -> str:
    reference = (data.get("bank_reference") or "").strip()
    mark = str(data.get("status") or "")
    if reference.upper() not in NO_REFERENCE:
        return reference if mark == "C" else f"{reference}/{mark}"
    return f"{statement_id or ''}/{ordinal}/{_content_hash(account, text)}"


def _amount(value: object) -> str | None:
    amount = getattr(value, "amount", None)
    return format(abs(amount), "f") if isinstance(amount, Decimal) else None


def _date(value: object) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None


def _entry(
    data: dict[str, Any], statement: dict[str, Any], ordinal: int, text: str
) -> list[str | None]:
    """The FIELDS of one `:61:` entry (with its `:86:` details, `text` as written) of a
    statement."""
    statement_id = _statement_id(statement)
    account = _text(statement.get("account_identification"))
    mark = str(data.get("status") or "").upper()
    transaction_type = _text(data.get("id"))
    business_code = _text(data.get("transaction_code"))
    code = "+".join(c for c in (transaction_type, business_code) if c) or None
    remittance = _text(data.get("purpose")) or _text(data.get("transaction_details"))
    currency = data.get("currency") or _statement_currency(statement)
    return [
        statement_id,
        account,
        _entry_ref(statement_id, ordinal, account, data, text),
        _date(data.get("entry_date")) or _date(data.get("date")),
        _date(data.get("date")),
        _amount(data.get("amount")),
        _text(currency),
        ("CRDT" if mark in CREDIT_MARKS else "DBIT") if mark else None,
        ("true" if mark.startswith("R") else "false") if mark else None,
        "BOOK",
        code,
        _text(data.get("applicant_name")),
        _text(data.get("applicant_iban")),
        remittance,
    ]


def _entry_texts(block: str) -> list[str]:
    """The text of each `:61:` entry of a statement block, in order: from its `:61:` to the
    next entry or the closing balances."""
    starts = [m.start() for m in _ENTRY_TAG.finditer(block)]
    closing = _CLOSING_TAG.search(block, starts[-1]) if starts else None
    ends = [*starts[1:], closing.start() if closing else len(block)]
    return [block[start:end] for start, end in zip(starts, ends, strict=True)]


def _why(exc: Exception) -> str:
    """One line for the tag that did not parse (mt940 raises RuntimeError(msg, tag, value))."""
    args = exc.args
    if len(args) >= 3 and hasattr(args[1], "id"):
        value = " ".join(str(args[2]).split())[:80]
        return f"tag :{args[1].id}: does not parse ({value!r})"
    return " ".join(str(exc).split()) or type(exc).__name__


def read_entries(path: Path) -> Entries:
    """Every `:61:` entry of every statement in the file, in file order."""
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in _STATEMENT_START.split(text) if b.startswith(":20:")]
    if not blocks:
        raise Mt940Error("not an MT940 statement: no statement (a line starting with :20:)")
    out = Entries()
    ordinal = 0
    for block in blocks:
        texts = _entry_texts(block)
        lines = [text.split("\n", 1)[0] for text in texts]
        transactions = mt940.models.Transactions(options=OPTIONS)
        try:
            transactions.parse(block)
        except Exception as exc:  # mt940 raises RuntimeError/ValueError/... on bad tags
            name = block.split("\n", 1)[0][4:].strip() or "?"
            reason = f"statement {name} does not parse: {_why(exc)}"
            for line in lines:
                ordinal += 1
                out.unparsed.append(Unparsed(ordinal, reason, line))
            continue
        entries = list(transactions)
        if len(entries) != len(lines):
            name = _statement_id(transactions.data) or "?"
            reason = (
                f"statement {name}: {len(lines)} :61: entries read as {len(entries)}; "
                "the statement is not loaded"
            )
            for line in lines:
                ordinal += 1
                out.unparsed.append(Unparsed(ordinal, reason, line))
            continue
        for n, (entry, entry_text) in enumerate(zip(entries, texts, strict=True), start=1):
            ordinal += 1
            values = _entry(entry.data, transactions.data, n, entry_text)
            for name, value in zip(FIELDS, values, strict=True):
                out.columns[name].append(value)
            out.rows.append(ordinal)
    return out
