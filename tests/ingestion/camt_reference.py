"""The standard library's camt.053 reader: the reference the fast reader (`ingestion.camt053`,
lxml) is checked against, row for row, in `test_camt_reference.py` and `benchmarks/camt.py`.

It is the reader ingestion used before: defusedxml's `iterparse`, walked element by element in
Python, one dict per `Ntry`. Same fields and semantics as `ingestion.camt053` (see its docstring).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from ingestion.camt053 import CamtError


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element | None, *path: str) -> ET.Element | None:
    for name in path:
        if elem is None:
            return None
        elem = next((c for c in elem if _local(c.tag) == name), None)
    return elem


def _text(elem: ET.Element | None, *path: str) -> str | None:
    found = _child(elem, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(elem: ET.Element | None) -> str | None:
    value = _text(elem, "Dt") or _text(elem, "DtTm")
    return value[:10] if value else None


def _party(details: ET.Element | None, role: str) -> tuple[str | None, str | None]:
    parties = _child(details, "RltdPties")
    party = _child(parties, role)
    name = _text(party, "Nm") or _text(party, "Pty", "Nm")
    iban = _text(parties, f"{role}Acct", "Id", "IBAN")
    return name, iban


def _reversal(ntry: ET.Element) -> str:
    value = _text(ntry, "RvslInd")
    return {None: "false", "false": "false", "0": "false", "true": "true", "1": "true"}.get(
        value, value or "false"
    )


def _status(ntry: ET.Element) -> str | None:
    return _text(ntry, "Sts", "Cd") or _text(ntry, "Sts", "Prtry") or _text(ntry, "Sts")


def _transaction_code(ntry: ET.Element) -> str | None:
    domain = _text(ntry, "BkTxCd", "Domn", "Cd")
    family = _text(ntry, "BkTxCd", "Domn", "Fmly", "Cd")
    sub = _text(ntry, "BkTxCd", "Domn", "Fmly", "SubFmlyCd")
    if domain and family and sub:
        return f"{domain}/{family}/{sub}"
    return _text(ntry, "BkTxCd", "Prtry", "Cd")


def _entry(ntry: ET.Element, statement_id: str | None, account_iban: str | None) -> dict:
    amount = _child(ntry, "Amt")
    credit_debit = _text(ntry, "CdtDbtInd")
    details = _child(ntry, "NtryDtls", "TxDtls")
    name, iban = _party(details, "Dbtr" if credit_debit == "CRDT" else "Cdtr")
    remittance = _child(details, "RmtInf")
    lines = [c.text.strip() for c in remittance or [] if _local(c.tag) == "Ustrd" and c.text]
    return {
        "statement_id": statement_id,
        "account_iban": account_iban,
        "entry_ref": _text(ntry, "AcctSvcrRef"),
        "booking_date": _date(_child(ntry, "BookgDt")),
        "value_date": _date(_child(ntry, "ValDt")),
        "amount": amount.text.strip() if amount is not None and amount.text else None,
        "currency": amount.get("Ccy") if amount is not None else None,
        "credit_debit": credit_debit,
        "is_reversal": _reversal(ntry),
        "entry_status": _status(ntry),
        "bank_transaction_code": _transaction_code(ntry),
        "counterparty_name": name,
        "counterparty_iban": iban,
        "remittance_info": " ".join(lines) or None,
    }


def iter_entries(path: Path) -> Iterator[dict]:
    """Yield one dict per `Ntry` of every statement in the file, in document order."""
    statement_id: str | None = None
    account_iban: str | None = None
    stack: list[str] = []
    try:
        for event, elem in iterparse(path, events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if not stack and (name != "Document" or "camt.053" not in elem.tag):
                    raise CamtError(f"not a camt.053 document (root element {elem.tag})")
                stack.append(name)
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if name == "Ntry":
                yield _entry(elem, statement_id, account_iban)
                elem.clear()
            elif parent == "Stmt" and name == "Id":
                statement_id = (elem.text or "").strip() or None
            elif parent == "Stmt" and name == "Acct":
                account_iban = _text(elem, "Id", "IBAN")
            elif name == "Stmt":
                statement_id, account_iban = None, None
                elem.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        raise CamtError(f"malformed XML at line {line}, column {column}") from exc
    except EntitiesForbidden as exc:
        external = exc.sysid or exc.pubid
        risk = (
            "an external entity could read local files or URLs (XXE)"
            if external
            else "entities can expand exponentially (billion laughs)"
        )
        raise CamtError(
            f"XML declares the entity '{exc.name}', refused for safety: {risk}; "
            "a camt.053 statement declares none"
        ) from exc
    except (DTDForbidden, ExternalReferenceForbidden) as exc:
        raise CamtError(
            "XML refers to an external entity, refused for safety (XXE): "
            "a camt.053 statement needs none"
        ) from exc
