"""Bank entries (the contract's columns, as text) written as an ISO 20022 camt.053.001.02
statement, the bank format the landing zone reads (`ingestion.camt053`): what `amicable import`
writes for a mapping to `bank_entries`.

One `Stmt` per statement_id and account_iban, in the order they first appear, one `Ntry` per
row with every field the reader takes back: amount and currency, CdtDbtInd, RvslInd (only when
true), Sts, booking and value dates, AcctSvcrRef, the bank transaction code (`PMNT/RCDT/ESCT`
as Domn/Fmly/SubFmlyCd, anything else as a proprietary code), the counterparty (debtor of a
credit, creditor of a debit) with its IBAN, and the remittance text. No balances: the reader
takes none, and an import knows only the entries it is given.
"""

from __future__ import annotations

import polars as pl
from lxml import etree

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    elem = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        elem.text = text
    return elem


def _path(parent: etree._Element, tags: str, text: str) -> None:
    """`Domn/Cd` -> <Domn><Cd>text</Cd></Domn> under `parent`."""
    for tag in tags.split("/")[:-1]:
        parent = _add(parent, tag)
    _add(parent, tags.split("/")[-1], text)


def _entry(stmt: etree._Element, row: dict[str, str | None]) -> None:
    ntry = _add(stmt, "Ntry")
    amount = _add(ntry, "Amt", row["amount"])
    amount.set("Ccy", row["currency"] or "")
    _add(ntry, "CdtDbtInd", row["credit_debit"])
    if row["is_reversal"] == "true":
        _add(ntry, "RvslInd", "true")
    _add(ntry, "Sts", row["entry_status"])
    _path(ntry, "BookgDt/Dt", row["booking_date"] or "")
    _path(ntry, "ValDt/Dt", row["value_date"] or "")
    _add(ntry, "AcctSvcrRef", row["entry_ref"])
    code = row["bank_transaction_code"]
    if code:
        box = _add(ntry, "BkTxCd")
        parts = code.split("/")
        if len(parts) == 3:
            domain = _add(box, "Domn")
            _add(domain, "Cd", parts[0])
            family = _add(domain, "Fmly")
            _add(family, "Cd", parts[1])
            _add(family, "SubFmlyCd", parts[2])
        else:
            _path(box, "Prtry/Cd", code)
    details = _add(_add(ntry, "NtryDtls"), "TxDtls")
    role = "Dbtr" if row["credit_debit"] == "CRDT" else "Cdtr"
    if row["counterparty_name"] or row["counterparty_iban"]:
        parties = _add(details, "RltdPties")
        if row["counterparty_name"]:
            _path(parties, f"{role}/Nm", row["counterparty_name"])
        if row["counterparty_iban"]:
            _path(parties, f"{role}Acct/Id/IBAN", row["counterparty_iban"])
    if row["remittance_info"]:
        _path(details, "RmtInf/Ustrd", row["remittance_info"])


def camt053_bytes(entries: pl.DataFrame, message_id: str) -> bytes:
    """The statement document of `entries` (the bank_entries contract's columns)."""
    document = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    statements = _add(document, "BkToCstmrStmt")
    _path(statements, "GrpHdr/MsgId", message_id)
    by_statement: dict[tuple[str | None, str | None], etree._Element] = {}
    for row in entries.iter_rows(named=True):
        key = (row["statement_id"], row["account_iban"])
        stmt = by_statement.get(key)
        if stmt is None:
            stmt = by_statement[key] = _add(statements, "Stmt")
            _add(stmt, "Id", row["statement_id"])
            _path(_add(stmt, "Acct"), "Id/IBAN", row["account_iban"] or "")
        _entry(stmt, row)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
