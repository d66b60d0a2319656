"""The lxml column reader (`ingestion.camt053`) gives the rows of the standard library's reader
(`camt_reference.py`, the one it replaced): same values, same order, same rejections."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingestion.camt053 import FIELDS, CamtError, read_columns
from ingestion.contracts import SOURCES_BY_NAME
from ingestion.readers import read_camt053
from sample_data import generate
from tests.ingestion.camt_reference import iter_entries
from tests.ingestion.conftest import write
from tests.ingestion.malformed_cases import EXTERNAL_DTD, LAUGHS, XXE, camt
from tests.ingestion.test_readers import CAMT


def reference(path: Path) -> list[tuple] | str:
    try:
        return [tuple(entry[f] for f in FIELDS) for entry in iter_entries(path)]
    except CamtError as exc:
        return str(exc)


def fast(path: Path) -> list[tuple] | str:
    try:
        return list(zip(*read_columns(path).values(), strict=True))
    except CamtError as exc:
        return str(exc)


@pytest.fixture(scope="module")
def generated_bank_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    landing = tmp_path_factory.mktemp("camt") / "landing"
    generate(landing, size="tiny", seed=7, as_of=date(2026, 11, 20))
    return sorted((landing / "bank").glob("*.xml"))


def test_every_generated_statement_reads_the_same_rows_in_the_same_order(
    generated_bank_files: list[Path],
) -> None:
    assert generated_bank_files
    for path in generated_bank_files:
        rows = fast(path)
        assert isinstance(rows, list) and rows, path.name
        assert rows == reference(path), path.name


def test_the_frame_numbers_rows_by_entry_ordinal(generated_bank_files: list[Path]) -> None:
    path = generated_bank_files[0]
    frame = read_camt053(path, SOURCES_BY_NAME["bank_entries"]).rows
    expected = reference(path)
    assert frame["_source_row"].to_list() == list(range(1, len(expected) + 1))
    assert frame.select(FIELDS).rows() == expected


ODD = {
    "newer version, parties under Pty, DtTm dates": CAMT.replace("001.02", "001.13"),
    "two statements, the second without Acct": CAMT.replace(
        "</Stmt>",
        "</Stmt><Stmt><Id>STMT-2</Id><Ntry><Amt Ccy='EUR'>1.00</Amt></Ntry></Stmt>",
    ),
    "comments, processing instructions and CDATA inside values": CAMT.replace(
        "<Nm>ACME SA</Nm>", "<Nm>AC<!-- c -->ME<?pi x?> <![CDATA[S&A]]></Nm>"
    ),
    "character references": CAMT.replace("INV-1", "INV&#x2D;1&amp;"),
    "whitespace-only amount and empty remittance lines": CAMT.replace(">120.00<", ">  <").replace(
        "<Ustrd>INV-2</Ustrd>", "<Ustrd> </Ustrd><Ustrd/>"
    ),
    "entry before the statement's Id": CAMT.replace("<Id>STMT-1</Id>", "").replace(
        "</Ntry>\n   <Ntry>", "</Ntry><Id>LATE</Id>\n   <Ntry>"
    ),
    "elements in another namespace": CAMT.replace(
        "<CdtDbtInd>CRDT</CdtDbtInd>", "<x:CdtDbtInd xmlns:x='urn:x'>CRDT</x:CdtDbtInd>"
    ),
    "external DTD (never fetched)": CAMT.replace("?>\n", "?>" + EXTERNAL_DTD + "\n"),
    "XXE": CAMT.replace("?>\n", "?>" + XXE + "\n"),
    "billion laughs": CAMT.replace("?>\n", "?>" + LAUGHS + "\n"),
    "parameter entity": CAMT.replace(
        "?>\n", '?><!DOCTYPE Document [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
    ),
    "reversal, status code and bank transaction codes": CAMT.replace(
        "<Sts>BOOK</Sts>",
        "<RvslInd>true</RvslInd><Sts>PDNG</Sts><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"
        "<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>",
        1,
    ).replace(
        "<Sts>BOOK</Sts>",
        "<RvslInd>1</RvslInd><Sts><Cd>BOOK</Cd></Sts><BkTxCd><Prtry>"
        "<Cd>NTRF+166</Cd></Prtry></BkTxCd>",
    ),
    "odd reversal value, proprietary status, incomplete domain code": CAMT.replace(
        "<Sts>BOOK</Sts>",
        "<RvslInd>yes</RvslInd><Sts><Prtry>X</Prtry></Sts><BkTxCd><Domn><Cd>PMNT</Cd></Domn>"
        "<Prtry><Cd>P1</Cd></Prtry></BkTxCd>",
    ),
    "not camt.053": camt("1.00", namespace="pain.001.001.03"),
    "root without namespace": "<Document><Stmt/></Document>",
}


@pytest.mark.parametrize("text", ODD.values(), ids=list(ODD))
def test_odd_statements_read_the_same_as_the_reference(text: str, tmp_path: Path) -> None:
    path = write(tmp_path / "statement.xml", text)
    assert fast(path) == reference(path)


MALFORMED = {
    "tag mismatch": CAMT.replace("</Stmt>", "</Stmtx>"),
    "truncated": CAMT[:600],
    "empty file": "",
    "undeclared entity": CAMT.replace("INV-1", "&nope;"),
    "undeclared entity behind an external DTD": CAMT.replace(
        "?>\n", "?>" + EXTERNAL_DTD + "\n"
    ).replace("INV-1", "&nope;"),
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_xml_is_refused_like_the_reference_with_libxml2s_position(
    text: str, tmp_path: Path
) -> None:
    """Both refuse, on the same line; the column is where libxml2 saw the error (from 1),
    which can be later in the line than expat's (from 0), and libxml2 says what is wrong."""
    path = write(tmp_path / "statement.xml", text)
    old, new = reference(path), fast(path)
    assert isinstance(old, str) and isinstance(new, str)
    assert old.startswith("malformed XML at line") and new.startswith("malformed XML at line")
    assert new.split(",")[0] == old.split(",")[0]
    assert new.count(":") >= 1
