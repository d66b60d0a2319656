"""camt.053 entries carry their reversal indicator, their status and their bank transaction
code; only booked entries load, the others are quarantined with their status, and the counts
reconcile (rows read = loaded + quarantined)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source
from tests.ingestion.conftest import write

BANK = SOURCES_BY_NAME["bank_entries"]
DOMAIN = (
    "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
    "<Prtry><Cd>NTRF+166</Cd><Issr>DK</Issr></Prtry></BkTxCd>"
)
PROPRIETARY = "<BkTxCd><Prtry><Cd>NTRF+166</Cd><Issr>DK</Issr></Prtry></BkTxCd>"


def ntry(ref: str, status: str, *, credit: bool = True, extra: str = "") -> str:
    return (
        f"<Ntry><Amt Ccy='EUR'>10.00</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>"
        f"{extra}{status}<BookgDt><Dt>2026-01-05</Dt></BookgDt>"
        f"<ValDt><Dt>2026-01-05</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef></Ntry>"
    )


def statement(version: str, *entries: str) -> str:
    return (
        f"<?xml version='1.0' encoding='UTF-8'?>\n"
        f"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}'>"
        "<BkToCstmrStmt><Stmt><Id>S1</Id>"
        "<Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>"
        f"{''.join(entries)}</Stmt></BkToCstmrStmt></Document>\n"
    )


def load(landing: Path, text: str) -> tuple[duckdb.DuckDBPyConnection, tuple]:
    write(landing / "bank/statement_2026-01-06T0200.xml", text)
    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    (file,) = ingest_source(con, landing, BANK, "b1", datetime(2026, 1, 7)).files
    return con, (file.rows_read, file.rows_loaded, file.rows_quarantined)


@pytest.mark.parametrize(
    ("version", "booked", "pending", "info"),
    [
        ("02", "<Sts>BOOK</Sts>", "<Sts>PDNG</Sts>", "<Sts>INFO</Sts>"),
        ("08", "<Sts><Cd>BOOK</Cd></Sts>", "<Sts><Cd>PDNG</Cd></Sts>", "<Sts><Cd>INFO</Cd></Sts>"),
    ],
    ids=["001.02 code", "001.08 Sts/Cd"],
)
def test_only_booked_entries_load_the_others_are_quarantined_with_their_status(
    landing: Path, version: str, booked: str, pending: str, info: str
) -> None:
    text = statement(
        version, ntry("B1", booked), ntry("B2", pending), ntry("B3", info), ntry("B4", "")
    )
    con, counts = load(landing, text)
    assert counts == (4, 1, 3)
    assert con.execute("select entry_ref, entry_status from raw.bank_entries").fetchall() == [
        ("B1", "BOOK")
    ]
    quarantined = con.execute(
        "select source_row, field, value, reason from raw.quarantine order by source_row"
    ).fetchall()
    not_booked = "entry status {} is not booked (BOOK): only booked entries count"
    assert quarantined == [
        (2, "entry_status", "PDNG", not_booked.format("PDNG")),
        (3, "entry_status", "INFO", not_booked.format("INFO")),
        (4, "entry_status", None, "required field is empty"),
    ]


def test_reversal_indicator_and_bank_transaction_code_are_columns(landing: Path) -> None:
    booked = "<Sts>BOOK</Sts>"
    text = statement(
        "02",
        ntry("B1", booked, extra=DOMAIN),
        ntry("B2", booked, extra="<RvslInd>true</RvslInd>" + PROPRIETARY),
        ntry("B3", booked, credit=False, extra="<RvslInd>1</RvslInd>"),
        ntry("B4", booked, extra="<RvslInd>false</RvslInd>"),
        ntry("B5", booked, extra="<RvslInd>yes</RvslInd>"),
    )
    con, counts = load(landing, text)
    assert counts == (5, 4, 1)
    rows = con.execute(
        "select entry_ref, credit_debit, is_reversal, bank_transaction_code"
        " from raw.bank_entries order by _source_row"
    ).fetchall()
    assert rows == [
        ("B1", "CRDT", False, "PMNT/RCDT/ESCT"),
        ("B2", "CRDT", True, "NTRF+166"),
        ("B3", "DBIT", True, None),
        ("B4", "CRDT", False, None),
    ]
    assert con.execute(
        "select source_row, field, value, reason from raw.quarantine"
    ).fetchall() == [(5, "is_reversal", "yes", "must be true or false")]


def test_a_warehouse_from_before_the_columns_gets_them_and_keeps_its_rows(
    landing: Path,
) -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    old_fields = [f for f in BANK.fields if f.name not in OLD_MISSING]
    columns = ", ".join(f"{f.name} varchar" for f in old_fields)
    con.execute(
        f"create table raw.bank_entries ({columns}, _source_file varchar, _source_row bigint,"
        " _loaded_at timestamp, _batch_id varchar, _extracted_at timestamp)"
    )
    con.execute("insert into raw.bank_entries (entry_ref) values ('OLD-1')")
    write(landing / "bank/statement_2026-01-06T0200.xml", statement("02", ntry("B1", BOOKED)))
    ensure_raw_schema(con, SOURCES)
    (file,) = ingest_source(con, landing, BANK, "b1", datetime(2026, 1, 7)).files
    assert (file.rows_read, file.rows_loaded) == (1, 1)
    rows = con.execute(
        "select entry_ref, is_reversal, entry_status from raw.bank_entries order by entry_ref"
    ).fetchall()
    assert rows == [("B1", False, "BOOK"), ("OLD-1", None, None)]


OLD_MISSING = ("is_reversal", "entry_status", "bank_transaction_code")
BOOKED = "<Sts>BOOK</Sts>"
