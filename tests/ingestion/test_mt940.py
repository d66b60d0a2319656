"""MT940 statements load into raw.bank_entries beside camt.053: the real statement file of
`../shared/realdata/mt940/` (read where it lies, never copied into the repository) and small
hand-made statements for reversals, references and broken input."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source, quarantine_messages
from tests.ingestion.conftest import write

REAL = Path("/work/shared/realdata/mt940/betterplace_sepa_mt9401.sta")
BANK = SOURCES_BY_NAME["bank_entries"]
LOADED_AT = datetime(2026, 1, 2, 3, 4, 5)
needs_real_file = pytest.mark.skipif(not REAL.is_file(), reason=f"{REAL} is not on this machine")


def load(con: duckdb.DuckDBPyConnection, landing: Path, batch: str = "b1"):
    ensure_raw_schema(con, SOURCES)
    return ingest_source(con, landing, BANK, batch, LOADED_AT)


def entries(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict]:
    cursor = con.execute(f"select * from raw.bank_entries where {where} order by _source_row")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _balance(text: str) -> Decimal:
    """`C070903EUR1234718,36` -> 1234718.36 (D: negative)."""
    mark, amount = re.fullmatch(r"([CD])\d{6}[A-Z]{3}([\d,]+)", text.strip()).groups()  # type: ignore[union-attr]
    value = Decimal(amount.replace(",", "."))
    return value if mark == "C" else -value


def statement_balances(text: str) -> dict[str, tuple[Decimal, Decimal, int]]:
    """Per statement (`:20:` reference/`:28C:` number, the reader's statement_id): opening and
    closing balance and number of `:61:` entries, read with regular expressions, not mt940."""
    found = {}
    for block in re.split(r"(?m)^(?=:20:)", text):
        if not block.startswith(":20:"):
            continue
        tag = {m[0]: m[1] for m in re.findall(r"(?m)^:(\d\d[A-Z]?):(.*)$", block)}
        statement_id = f"{tag['20'].strip()}/{tag['28C'].strip()}"
        opening = _balance(tag.get("60F") or tag["60M"])
        closing = _balance(tag.get("62F") or tag["62M"])
        found[statement_id] = (opening, closing, len(re.findall(r"(?m)^:61:", block)))
    return found


@needs_real_file
def test_the_real_statement_file_loads_every_entry_and_each_statement_balances(
    landing: Path,
) -> None:
    (landing / "bank/betterplace_2007-09-04T2300.sta").symlink_to(REAL)
    con = duckdb.connect()
    (file,) = load(con, landing).files
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == (
        "loaded",
        97,
        97,
        0,
    )
    rows = entries(con)
    assert len({r["entry_ref"] for r in rows}) == 97, "staging keeps one row per entry_ref"
    balances = statement_balances(REAL.read_text(encoding="latin-1"))
    assert sum(n for _, _, n in balances.values()) == 97
    assert {r["statement_id"] for r in rows} <= set(balances)
    for statement_id, (opening, closing, count) in balances.items():
        mine = [r for r in rows if r["statement_id"] == statement_id]
        signed = sum(
            (r["amount"] if r["credit_debit"] == "CRDT" else -r["amount"] for r in mine),
            Decimal(0),
        )
        assert len(mine) == count, statement_id
        assert opening + signed == closing, statement_id
    assert {r["currency"] for r in rows} == {"EUR"}
    assert all(r["entry_status"] == "BOOK" and r["booking_date"] for r in rows)


@needs_real_file
def test_the_real_files_reversals_are_reversals_of_credits_not_payments(landing: Path) -> None:
    (landing / "bank/betterplace_2007-09-04T2300.sta").symlink_to(REAL)
    con = duckdb.connect()
    load(con, landing)
    reversals = entries(con, "is_reversal")
    assert [(r["credit_debit"], r["amount"]) for r in reversals] == [
        ("DBIT", Decimal("204.88")),
        ("DBIT", Decimal("204.88")),
    ]
    assert all(r["bank_transaction_code"].startswith("NRTI") for r in reversals)


STATEMENT = """:20:STARTUMS
:25:DE89370400440532013000
:28C:{number}/1
:60F:C260105EUR1000,00
:61:2601050105C100,00NTRFNONREF//BANKREF-1
:86:166?00GUTSCHRIFT?20SVWZ+INV-1 INV-2?30COBADEFFXXX?31DE02120300000000202051
?32ACME GMBH
:61:2601050105D2,50NCHGNONREF
:86:805?00ENTGELT?20SVWZ+Kontofuehrung
:61:2601050105D2,50NCHGNONREF
:86:805?00ENTGELT?20SVWZ+Kontofuehrung
:61:2601060106RD40,00NDDTNONREF
:86:109?00RUECKLASTSCHRIFT?20SVWZ+Lastschrift zurueck
:61:2601060106RC30,00NTRFNONREF//BANKREF-1
:86:159?00RETOURE?20SVWZ+INV-1
:62F:C260106EUR1105,00
-
"""


def refs(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r["entry_ref"] for r in entries(con)]


def test_marks_give_direction_and_reversal_and_references_follow_the_rule(
    landing: Path,
) -> None:
    write(landing / "bank/stmt_2026-01-06T2300.mt940", STATEMENT.format(number=1))
    con = duckdb.connect()
    (file,) = load(con, landing).files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (5, 5, 0)
    rows = entries(con)
    assert [(r["credit_debit"], r["is_reversal"]) for r in rows] == [
        ("CRDT", False),
        ("DBIT", False),
        ("DBIT", False),
        ("CRDT", True),  # RD: a debit undone, money back in, not a payment
        ("DBIT", True),  # RC: a credit undone, money out
    ]
    first = rows[0]
    assert (first["entry_ref"], first["counterparty_name"], first["counterparty_iban"]) == (
        "BANKREF-1",
        "ACME GMBH",
        "DE02120300000000202051",
    )
    assert first["remittance_info"] == "INV-1 INV-2"
    assert first["bank_transaction_code"] == "NTRF+166"
    assert rows[4]["entry_ref"] == "BANKREF-1/RC"  # the original credit keeps its reference
    generated = [r["entry_ref"] for r in rows[1:4]]
    assert all(re.fullmatch(r"STARTUMS/1/1/[234]/[0-9a-f]{12}", ref) for ref in generated)
    assert len(set(generated)) == 3, "two equal fees of one statement stay two entries"


def test_generated_references_do_not_change_when_the_file_is_delivered_again(
    tmp_path: Path,
) -> None:
    """The same statements, sent again under another name, in another file order and beside
    another statement, keep every reference: a load is idempotent in staging."""
    first, second = tmp_path / "first", tmp_path / "second"
    for landing in (first, second):
        (landing / "bank").mkdir(parents=True)
    write(first / "bank/stmt_2026-01-06T2300.sta", STATEMENT.format(number=1))
    other = (
        STATEMENT.format(number=2)
        .replace("2601", "2602")
        .replace("C26010", "C26020")
        .replace("BANKREF-1", "BANKREF-2")
    )
    write(second / "bank/both_2026-02-06T2300.STA", other + STATEMENT.format(number=1))
    con_first, con_second = duckdb.connect(), duckdb.connect()
    load(con_first, first)
    load(con_second, second)
    again = refs(con_second)
    assert len(again) == 10
    assert refs(con_first) == again[5:]
    assert not set(again[:5]) & set(again[5:]), "the other statement's references are its own"


def test_a_statement_that_does_not_parse_is_quarantined_entry_by_entry(landing: Path) -> None:
    broken = STATEMENT.format(number=2).replace(":61:2601060106RD40,00", ":61:2601060106XX40,00")
    write(landing / "bank/stmt_2026-01-06T2300.sta", STATEMENT.format(number=1) + broken)
    con = duckdb.connect()
    (file,) = load(con, landing, "b1").files
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == (
        "loaded",
        10,
        5,
        5,
    )
    quarantined = con.execute(
        "select source_row, reason, record from raw.quarantine order by source_row"
    ).fetchall()
    assert [row for row, _, _ in quarantined] == [6, 7, 8, 9, 10]
    reason = quarantined[0][1]
    assert reason.startswith("statement STARTUMS does not parse: tag :61: does not parse")
    assert "\n" not in reason and "XX40,00" in reason
    assert quarantined[3][2] == ":61:2601060106XX40,00NDDTNONREF"
    lines, _ = quarantine_messages(con, "b1")
    assert lines[0].startswith("bank/stmt_2026-01-06T2300.sta:6: statement STARTUMS")


def test_an_entry_missing_a_field_is_quarantined_naming_it(landing: Path) -> None:
    """No opening balance: the entries have no currency."""
    no_balance = STATEMENT.format(number=1).replace(":60F:C260105EUR1000,00\n", "")
    write(landing / "bank/stmt_2026-01-06T2300.sta", no_balance)
    con = duckdb.connect()
    (file,) = load(con, landing, "b1").files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (5, 0, 5)
    fields = con.execute("select distinct field, reason from raw.quarantine").fetchall()
    assert fields == [("currency", "required field is empty")]


@pytest.mark.parametrize(
    "content",
    ["not a statement at all\n", "", "\x00\x01binary"],
    ids=["text", "empty", "binary"],
)
def test_a_file_without_a_statement_is_rejected_in_one_line(landing: Path, content: str) -> None:
    write(landing / "bank/stmt_2026-01-06T2300.sta", content)
    con = duckdb.connect()
    (file,) = load(con, landing, "b1").files
    assert (file.status, file.rows_read) == ("rejected", 0)
    assert file.reason == (
        "file rejected: not an MT940 statement: no statement (a line starting with :20:)"
    )


def test_an_mt940_file_without_extraction_time_is_named_with_its_own_extension(
    landing: Path,
) -> None:
    write(landing / "bank/statement.sta", STATEMENT.format(number=1))
    con = duckdb.connect()
    (file,) = load(con, landing, "b1").files
    assert (file.status, file.rows_read, file.rows_quarantined) == ("rejected", 5, 5)
    assert "expected bank/<name>_YYYY-MM-DDTHHMM.sta" in (file.reason or "")


def test_a_latin1_statement_reads_its_accents(landing: Path) -> None:
    text = STATEMENT.format(number=1).replace("ACME GMBH", "M\xfcller AG")
    (landing / "bank/stmt_2026-01-06T2300.sta").write_bytes(text.encode("latin-1"))
    con = duckdb.connect()
    load(con, landing)
    assert entries(con)[0]["counterparty_name"] == "M\xfcller AG"
