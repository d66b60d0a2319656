from __future__ import annotations

from pathlib import Path

from ingestion.contracts import SOURCES_BY_NAME
from ingestion.readers import read_camt053, read_csv, read_jsonl
from tests.ingestion.conftest import INVOICE_HEADER, write

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-01-31T23:59:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT-1</Id>
   <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-01-05</Dt></BookgDt><ValDt><Dt>2026-01-04</Dt></ValDt>
    <AcctSvcrRef>BANK-1</AcctSvcrRef>
    <NtryDtls><TxDtls>
      <Refs><AcctSvcrRef>NESTED-REF</AcctSvcrRef></Refs>
      <RltdPties><Dbtr><Nm>ACME SA</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct></RltdPties>
      <RmtInf><Ustrd>INV-1</Ustrd><Ustrd>INV-2</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">12,50</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><DtTm>2026-01-06T10:00:00</DtTm></BookgDt><ValDt><Dt>2026-01-06</Dt></ValDt>
    <AcctSvcrRef>BANK-2</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><Cdtr><Pty><Nm>Bank fees</Nm></Pty></Cdtr></RltdPties>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


def test_camt053_gives_one_row_per_entry_with_the_entry_own_reference(tmp_path: Path) -> None:
    path = write(tmp_path / "statement.xml", CAMT)
    content = read_camt053(path, SOURCES_BY_NAME["bank_entries"])
    assert content.rejected is None
    rows = content.rows.to_dicts()
    assert rows[0] == {
        "statement_id": "STMT-1",
        "account_iban": "FR7630006000011234567890189",
        "entry_ref": "BANK-1",
        "booking_date": "2026-01-05",
        "value_date": "2026-01-04",
        "amount": "120.00",
        "currency": "EUR",
        "credit_debit": "CRDT",
        "is_reversal": "false",
        "entry_status": "BOOK",
        "bank_transaction_code": None,
        "counterparty_name": "ACME SA",
        "counterparty_iban": "DE89370400440532013000",
        "remittance_info": "INV-1 INV-2",
        "_source_row": 1,
    }
    assert rows[1]["amount"] == "12,50"
    assert rows[1]["booking_date"] == "2026-01-06"
    assert rows[1]["counterparty_name"] == "Bank fees"


def test_broken_xml_is_rejected_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path / "statement.xml", CAMT.replace("</Stmt>", "</Stmtx>"))
    content = read_camt053(path, SOURCES_BY_NAME["bank_entries"])
    assert content.rejected is not None
    assert "malformed XML at line" in content.rejected


def test_xml_that_is_not_camt053_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "other.xml", "<Document xmlns='urn:x:pain.001'><A/></Document>")
    content = read_camt053(path, SOURCES_BY_NAME["bank_entries"])
    assert content.rejected is not None and "not a camt.053 document" in content.rejected


def test_csv_with_wrong_header_is_rejected_whole_one_record_per_row(tmp_path: Path) -> None:
    header = INVOICE_HEADER.replace("debtor_id", "debtor_idd")
    path = write(tmp_path / "invoices_x.csv", header + "\nI1,D1\nI2,D2\n")
    content = read_csv(path, SOURCES_BY_NAME["erp_invoices"])
    assert content.rejected is not None
    assert "missing column(s) debtor_id" in content.rejected
    assert "unexpected column(s) debtor_idd" in content.rejected
    assert [r["source_row"] for r in content.unparsed] == [2, 3]
    assert content.rows_read == 2


def test_csv_ragged_row_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    good = "I1,D1,N1,invoice,,2026-01-01,2026-01-31,10.00,EUR,2026-01-01T00:00:00Z"
    bad = "I2,D1,N2,invoice,,2026-01-01,2026-01-31,12,50,EUR,2026-01-01T00:00:00Z"
    path = write(tmp_path / "invoices_x.csv", f"{INVOICE_HEADER}\n{good}\n{bad}\n")
    content = read_csv(path, SOURCES_BY_NAME["erp_invoices"])
    assert content.rows["invoice_id"].to_list() == ["I1"]
    assert content.unparsed[0]["source_row"] == 3
    assert content.unparsed[0]["reason"] == "row has 11 fields, the header has 10"


def test_csv_row_numbers_stay_physical_lines_after_a_quoted_field_that_spans_lines(
    tmp_path: Path,
) -> None:
    """The README promises physical line numbers: a record after a two-line quoted field
    starts one line later than its ordinal says; blank lines are no records."""
    first = (
        'I1,D1,"N1 first line\nsecond line",invoice,,2026-01-01,2026-01-31,10.00,EUR,'
        "2026-01-01T00:00:00Z"
    )
    second = "I2,D1,N2,invoice,,2026-01-01,2026-01-31,x,EUR,2026-01-01T00:00:00Z"
    ragged = "I3,D1,N3,invoice,,2026-01-01,2026-01-31,12,50,EUR,2026-01-01T00:00:00Z"
    path = write(tmp_path / "invoices_x.csv", f"{INVOICE_HEADER}\n{first}\n{second}\n\n{ragged}\n")
    content = read_csv(path, SOURCES_BY_NAME["erp_invoices"])
    assert content.rows.select("invoice_id", "_source_row").rows() == [("I1", 2), ("I2", 4)]
    assert content.rows["invoice_number"][0] == "N1 first line\nsecond line"
    assert [r["source_row"] for r in content.unparsed] == [6]


def test_csv_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "invoices_x.csv"
    path.write_bytes(INVOICE_HEADER.encode() + "\nI1,Soci\xe9t\xe9\n".encode("latin-1"))
    content = read_csv(path, SOURCES_BY_NAME["erp_invoices"])
    assert content.rejected is not None and "not UTF-8" in content.rejected


def test_jsonl_line_that_is_not_json_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "agents_x.jsonl",
        '{"agent_id":"A1","name":"Ann","team":"T1","active_from":"2025-01-01"}\n'
        '{"agent_id":"A2","name":"Bob",\n'
        "[1, 2]\n",
    )
    content = read_jsonl(path, SOURCES_BY_NAME["cases_agents"])
    assert content.rows["agent_id"].to_list() == ["A1"]
    assert content.rows["supervisor_id"].to_list() == [None]
    assert [(r["source_row"], r["reason"][:17]) for r in content.unparsed] == [
        (2, "line is not JSON:"),
        (3, "line is not a JSO"),
    ]
