"""`amicable import`: a mapping turns a foreign export (CSV or Excel) into a landing-zone file
that the normal ingestion loads without quarantine; broken mappings fail in one line naming the
mapping file, line and key."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from amicable.cli import main
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.exports import read_export
from ingestion.load import ensure_raw_schema, ingest_source
from ingestion.mapping import ReadOptions

STAMP = "2026-11-20T0200"

# A German-style ERP export: day.month.year dates, decimal comma, thousands dot, payment terms
# in days, a credit-note flag in words, a cancelled row to skip.
EXPORT_HEADER = ["Beleg", "Kunde", "Art", "Bezug", "Datum", "Ziel", "Betrag", "Waehrung", "Status"]
EXPORT_ROWS = [
    ["R-1", "K1", "Rechnung", "", "20.11.2026", "30", "1.234,50", "EUR", "gebucht"],
    ["R-2", "K2", "Rechnung", "", "03.02.2026", "14", "99,90", "", "gebucht"],
    ["G-1", "K1", "Gutschrift", "R-1", "21.11.2026", "0", "100,00", "EUR", "gebucht"],
    ["R-3", "K3", "Rechnung", "", "31.02.2026", "30", "10,00", "EUR", "gebucht"],  # no such day
    ["R-4", "K3", "Rechnung", "", "01.03.2026", "30", "zehn", "EUR", "gebucht"],  # not a number
    ["R-5", "K3", "Proforma", "", "01.03.2026", "30", "10,00", "EUR", "gebucht"],  # not mapped
    ["R-6", "K3", "Rechnung", "", "01.03.2026", "30", "10,00", "EUR", "storniert"],  # skipped
    ["R-7", "K3", "Rechnung", "", "01.03.2026", "30", "10,00", "EURO", "gebucht"],  # contract
]
MAPPING = """\
table: erp_invoices
skip:
  - {column: Status, in: [storniert]}
columns:
  invoice_id: Beleg
  debtor_id: Kunde
  invoice_number: {template: "DE-{Beleg}"}
  document_type:
    column: Art
    map: {Rechnung: invoice, Gutschrift: credit_note}
  reference_invoice_id: Bezug
  issue_date: {column: Datum, date_format: "%d.%m.%Y"}
  due_date: {column: Datum, date_format: "%d.%m.%Y", add_days: {column: Ziel}}
  amount: {column: Betrag, decimal: ",", thousands: "."}
  currency: {column: Waehrung, default: EUR}
  updated_at: {extracted_at: true}
"""


def write_csv_export(path: Path, rows: list[list[str]] = EXPORT_ROWS) -> Path:
    pl.DataFrame([EXPORT_HEADER, *rows], orient="row").write_csv(path, include_header=False)
    return path


def write_xlsx_export(path: Path) -> Path:
    """The same export as Excel writes it: real dates and numbers in their cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Belege"
    sheet.append(EXPORT_HEADER)
    for row in EXPORT_ROWS:
        cells: list[object] = list(row)
        with contextlib.suppress(ValueError):  # 31.02. stays text, as a typist's would
            cells[4] = datetime.strptime(row[4], "%d.%m.%Y").date()
        cells[5] = int(row[5])
        if row[6] != "zehn":
            cells[6] = float(row[6].replace(".", "").replace(",", "."))
        cells[3] = row[3] or None
        sheet.append(cells)
    book.save(path)
    return path


def run(*args: str | Path) -> int:
    return main(["import", *[str(a) for a in args]])


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "erp.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def test_export_becomes_a_contract_file_and_rejected_rows_are_kept(
    tmp_path: Path, landing: Path, mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv_export(tmp_path / "export.csv")
    assert run("--mapping", mapping, "--input", export, "--landing", landing,
               "--extracted-at", STAMP) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "rows in 8: out 3, rejected 4, skipped by the mapping 1" in printed
    written = pl.read_csv(landing / f"erp/invoices_{STAMP}.csv", infer_schema=False)
    assert written.rows() == [
        ("R-1", "K1", "DE-R-1", "invoice", None, "2026-11-20", "2026-12-20", "1234.50", "EUR",
         "2026-11-20T02:00:00Z"),
        ("R-2", "K2", "DE-R-2", "invoice", None, "2026-02-03", "2026-02-17", "99.90", "EUR",
         "2026-11-20T02:00:00Z"),
        ("G-1", "K1", "DE-G-1", "credit_note", "R-1", "2026-11-21", "2026-11-21", "100.00",
         "EUR", "2026-11-20T02:00:00Z"),
    ]  # fmt: skip
    rejected = pl.read_csv(landing / f"_rejected/invoices_{STAMP}.rejected.csv", infer_schema=False)
    assert rejected.select("_source_row", "_field", "_value", "_reason", "Beleg").rows() == [
        (
            "5",
            "issue_date; due_date",
            "31.02.2026; 31.02.2026",
            "not a date in %d.%m.%Y; not a date in %d.%m.%Y",
            "R-3",
        ),  # both read Datum
        ("6", "amount", "zehn", "not a number with decimal ',', thousands '.'", "R-4"),
        ("7", "document_type", "Proforma", "not in the value map (Rechnung, Gutschrift)", "R-5"),
        ("9", "currency", "EURO", "unknown ISO 4217 currency code", "R-7"),
    ]
    assert rejected.columns[4:] == EXPORT_HEADER  # the whole source row is kept


def test_written_file_loads_through_ingestion_without_quarantine(
    tmp_path: Path, landing: Path, mapping: Path
) -> None:
    export = write_csv_export(tmp_path / "export.csv")
    run("--mapping", mapping, "--input", export, "--landing", landing, "--extracted-at", STAMP)
    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    report = ingest_source(
        con, landing, SOURCES_BY_NAME["erp_invoices"], "b1", datetime(2026, 12, 1)
    )
    (file,) = report.files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 3, 0)
    assert con.execute("select sum(amount), min(due_date) from raw.erp_invoices").fetchone() == (
        Decimal("1434.40"),
        date(2026, 2, 17),
    )


def test_excel_export_imports_to_the_same_landing_file_as_its_csv_twin(
    tmp_path: Path, mapping: Path
) -> None:
    csv_landing, xlsx_landing = tmp_path / "from_csv", tmp_path / "from_xlsx"
    csv_landing.mkdir()
    xlsx_landing.mkdir()
    csv_export = write_csv_export(tmp_path / "export.csv")
    xlsx_export = write_xlsx_export(tmp_path / "export.xlsx")
    for export, landing in ((csv_export, csv_landing), (xlsx_export, xlsx_landing)):
        assert run("--mapping", mapping, "--input", export, "--landing", landing,
                   "--extracted-at", STAMP) == 0  # fmt: skip
    name = f"erp/invoices_{STAMP}.csv"
    from_csv = (csv_landing / name).read_bytes()
    assert from_csv.count(b"\n") == 4  # header and three rows: the comparison is not empty
    assert (xlsx_landing / name).read_bytes() == from_csv
    rejected = f"_rejected/invoices_{STAMP}.rejected.csv"
    fields = [
        pl.read_csv(root / rejected)["_field"].to_list() for root in (csv_landing, xlsx_landing)
    ]
    both = ["issue_date; due_date", "amount", "document_type", "currency"]
    assert fields[0] == fields[1] == both


def test_check_reports_and_writes_nothing(
    tmp_path: Path, landing: Path, mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv_export(tmp_path / "export.csv")
    assert run("--mapping", mapping, "--input", export, "--landing", landing, "--check") == 0
    printed = capsys.readouterr().out
    assert "rows in 8: out 3, rejected 4" in printed
    assert "rejected 1: issue_date; due_date: not a date in %d.%m.%Y; not a date in" in printed
    assert not any(p.is_file() for p in landing.rglob("*"))


def test_same_export_imported_twice_writes_one_file(
    tmp_path: Path, landing: Path, mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_csv_export(tmp_path / "export.csv")
    args = ("--mapping", mapping, "--input", export, "--landing", landing)
    assert run(*args) == 0
    assert run(*args) == 0  # the stamp is the export's modification time
    assert "unchanged (already there)" in capsys.readouterr().out
    assert len(list((landing / "erp").iterdir())) == 1


BROKEN = [
    (
        "unknown source column",
        MAPPING.replace("debtor_id: Kunde", "debtor_id: Kundennummer"),
        "line 6: columns.debtor_id.column: unknown source column 'Kundennummer'",
    ),
    (
        "unknown source column in a template",
        MAPPING.replace("DE-{Beleg}", "DE-{Belegnr}"),
        "line 7: columns.invoice_number.template: unknown source column 'Belegnr'",
    ),
    (
        "unknown source column in a skip rule",
        MAPPING.replace("{column: Status, in:", "{column: Zustand, in:"),
        "line 3: skip.0.column: unknown source column 'Zustand'",
    ),
    (
        "bad date format",
        MAPPING.replace(
            'issue_date: {column: Datum, date_format: "%d.%m.%Y"}',
            'issue_date: {column: Datum, date_format: "%d.%q.%Y"}',
        ),  # fmt: skip
        "line 12: columns.issue_date.date_format: bad date format '%d.%q.%Y'",
    ),
    (
        "date format without a year",
        MAPPING.replace(
            'due_date: {column: Datum, date_format: "%d.%m.%Y"',
            'due_date: {column: Datum, date_format: "%d.%m."',
        ),  # fmt: skip
        "line 13: columns.due_date.date_format: bad date format '%d.%m.'",
    ),
    (
        "unknown contract column",
        MAPPING.replace("  updated_at:", "  customer_name: Kunde\n  updated_at:"),
        "line 16: columns.customer_name: unknown contract column of erp_invoices",
    ),
    (
        "bad YAML",
        MAPPING.replace("  debtor_id: Kunde", "  debtor_id: [Kunde"),
        "line 7: not valid YAML",
    ),
    (
        "unknown key",
        MAPPING.replace(
            "currency: {column: Waehrung, default: EUR}",
            "currency: {column: Waehrung, fallback: EUR}",
        ),  # fmt: skip
        "line 15: columns.currency.fallback: unknown key",
    ),
    (
        "required contract column not fed",
        MAPPING.replace("  debtor_id: Kunde\n", ""),
        "line 4: columns: no source for required contract column(s) debtor_id",
    ),
    (
        "separators on a date",
        MAPPING.replace("issue_date: {column: Datum,", "issue_date: {column: Datum, decimal: ',',"),
        "line 12: columns.issue_date.decimal: issue_date is a date, not an amount or rate",
    ),
]


@pytest.mark.parametrize(("mapping_text", "expected"), [b[1:] for b in BROKEN],
                         ids=[b[0] for b in BROKEN])  # fmt: skip
def test_broken_mapping_fails_in_one_line_naming_file_line_and_key(
    tmp_path: Path,
    landing: Path,
    capsys: pytest.CaptureFixture[str],
    mapping_text: str,
    expected: str,
) -> None:
    mapping = tmp_path / "broken.yml"
    mapping.write_text(mapping_text, encoding="utf-8")
    export = write_csv_export(tmp_path / "export.csv")
    assert run("--mapping", mapping, "--input", export, "--landing", landing, "--check") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"amicable: error: mapping {mapping}, {expected}")


BANK_MAPPING = """\
table: bank_entries
columns:
  statement_id: {constant: ST-1}
  account_iban: {constant: DE89370400440532013000}
  entry_ref: Ref
  booking_date: {column: Buchung, date_format: "%d.%m.%Y"}
  value_date: {column: Valuta, date_format: "%d.%m.%Y"}
  amount: {column: Betrag, decimal: ","}
  currency: {constant: EUR}
  credit_debit: {column: SH, map: {H: CRDT, S: DBIT}}
  is_reversal: {column: Storno, map: {Yes: "true", No: "false"}}  # Yes stays text
  entry_status: {constant: BOOK}
  bank_transaction_code: Code
  counterparty_name: Name
  counterparty_iban: IBAN
  remittance_info: Text
"""


def test_bank_entries_are_written_as_a_camt053_statement_that_loads_back(
    tmp_path: Path, landing: Path
) -> None:
    mapping = tmp_path / "bank.yml"
    mapping.write_text(BANK_MAPPING, encoding="utf-8")
    export = tmp_path / "umsaetze.csv"
    export.write_text(
        "Ref,Buchung,Valuta,Betrag,SH,Storno,Code,Name,IBAN,Text\n"
        'E1,02.01.2026,03.01.2026,"1234,50",H,No,PMNT/RCDT/ESCT,Müller & Söhne,'
        "FR7630006000011234567890189,Rechnung R-1 <bezahlt>\n"
        'E2,05.01.2026,05.01.2026,"9,99",S,No,GEB,,,\n'
        'E3,06.01.2026,06.01.2026,"1234,50",S,Yes,PMNT/RCDT/ESCT,Müller & Söhne,,\n',
        encoding="utf-8",
    )
    assert run("--mapping", mapping, "--input", export, "--landing", landing,
               "--extracted-at", STAMP) == 0  # fmt: skip
    assert (landing / f"bank/bank_{STAMP}.xml").is_file()
    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    report = ingest_source(
        con, landing, SOURCES_BY_NAME["bank_entries"], "b1", datetime(2026, 2, 1)
    )
    assert (report.rows_read, report.rows_quarantined) == (3, 0)
    columns = ", ".join(SOURCES_BY_NAME["bank_entries"].columns)
    rows = con.execute(f"select {columns} from raw.bank_entries order by entry_ref").fetchall()
    assert rows == [
        ("ST-1", "DE89370400440532013000", "E1", date(2026, 1, 2), date(2026, 1, 3),
         Decimal("1234.50"), "EUR", "CRDT", False, "BOOK", "PMNT/RCDT/ESCT", "Müller & Söhne",
         "FR7630006000011234567890189", "Rechnung R-1 <bezahlt>"),
        ("ST-1", "DE89370400440532013000", "E2", date(2026, 1, 5), date(2026, 1, 5),
         Decimal("9.99"), "EUR", "DBIT", False, "BOOK", "GEB", None, None, None),
        ("ST-1", "DE89370400440532013000", "E3", date(2026, 1, 6), date(2026, 1, 6),
         Decimal("1234.50"), "EUR", "DBIT", True, "BOOK", "PMNT/RCDT/ESCT", "Müller & Söhne",
         None, None),
    ]  # fmt: skip


def test_due_dates_from_payment_terms_codes_or_fixed_days(tmp_path: Path, landing: Path) -> None:
    mapping = tmp_path / "terms.yml"
    mapping.write_text(
        MAPPING.replace("{column: Ziel}", "{column: Ziel, map: {N30: 30, N0: 0}}")
        .replace("{template: \"DE-{Beleg}\"}", "Beleg")
        .replace('  issue_date: {column: Datum, date_format: "%d.%m.%Y"}',
                 '  issue_date: {column: Datum, date_format: "%d.%m.%Y", add_days: 1}'),
        encoding="utf-8",
    )  # fmt: skip
    rows = [
        ["R-1", "K1", "Rechnung", "", "31.01.2026", "N30", "10,00", "EUR", "gebucht"],
        ["R-2", "K1", "Rechnung", "", "31.01.2026", "N0", "10,00", "EUR", "gebucht"],
        ["R-3", "K1", "Rechnung", "", "31.01.2026", "N45", "10,00", "EUR", "gebucht"],
    ]
    export = write_csv_export(tmp_path / "export.csv", rows)
    assert run("--mapping", mapping, "--input", export, "--landing", landing,
               "--extracted-at", STAMP) == 0  # fmt: skip
    written = pl.read_csv(landing / f"erp/invoices_{STAMP}.csv", infer_schema=False)
    assert written.select("invoice_id", "issue_date", "due_date").rows() == [
        ("R-1", "2026-02-01", "2026-03-02"),
    ]
    rejected = pl.read_csv(landing / f"_rejected/invoices_{STAMP}.rejected.csv", infer_schema=False)
    assert rejected.select("Beleg", "_field", "_value", "_reason").rows() == [
        ("R-2", "due_date", "2026-01-31", "due_date is before issue_date"),
        ("R-3", "due_date", "N45", "no payment terms in days in Ziel"),
    ]


def test_a_sheet_is_read_by_name_and_a_missing_one_is_named_with_those_there(
    tmp_path: Path, landing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = write_xlsx_export(tmp_path / "export.xlsx")
    named = tmp_path / "named.yml"
    named.write_text(MAPPING.replace("skip:", "read: {sheet: Belege}\nskip:"), encoding="utf-8")
    assert run("--mapping", named, "--input", export, "--landing", landing, "--check") == 0
    assert "rows in 8: out 3, rejected 4" in capsys.readouterr().out
    missing = tmp_path / "missing.yml"
    missing.write_text(
        MAPPING.replace("skip:", "read: {sheet: Rechnungen}\nskip:"), encoding="utf-8"
    )
    assert run("--mapping", missing, "--input", export, "--landing", landing, "--check") == 2
    error = capsys.readouterr().err
    assert error == (f"amicable: error: input {export}: no sheet 'Rechnungen' (sheets: Belege)\n")


def test_every_conversion_a_row_fails_is_named_in_its_rejection(
    tmp_path: Path, landing: Path, mapping: Path
) -> None:
    rows = [["R-1", "K1", "Proforma", "", "2026-03-01", "30", "zehn", "EUR", "gebucht"]]
    export = write_csv_export(tmp_path / "export.csv", rows)
    assert run("--mapping", mapping, "--input", export, "--landing", landing,
               "--extracted-at", STAMP) == 0  # fmt: skip
    rejected = pl.read_csv(landing / f"_rejected/invoices_{STAMP}.rejected.csv", infer_schema=False)
    assert rejected.select("_source_row", "_field", "_value", "_reason").rows() == [
        (
            "2",
            "document_type; issue_date; due_date; amount",
            "Proforma; 2026-03-01; 2026-03-01; zehn",
            "not in the value map (Rechnung, Gutschrift); not a date in %d.%m.%Y; "
            "not a date in %d.%m.%Y; not a number with decimal ',', thousands '.'",
        )
    ]


def test_rows_sharing_a_key_are_rejected_all_when_they_differ_and_copies_after_the_first(
    tmp_path: Path, landing: Path, mapping: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `distinct`, which of two rows of one invoice holds is the export's to say: both
    are rejected, each naming the other; a copy of a row (the same contract row, whatever its
    unmapped columns hold) is rejected naming the row it copies, and the first is written."""
    rows = [
        ["R-1", "K1", "Rechnung", "", "01.03.2026", "30", "10,00", "EUR", "gebucht"],
        ["R-2", "K2", "Rechnung", "", "01.03.2026", "30", "20,00", "EUR", "gebucht"],
        ["R-1", "K1", "Rechnung", "", "01.03.2026", "60", "5,00", "EUR", "gebucht"],
        ["R-2", "K2", "Rechnung", "", "01.03.2026", "30", "20,00", "EUR", "gebucht"],
        ["R-3", "K3", "Rechnung", "", "01.03.2026", "30", "30,00", "EUR", "gebucht"],
        ["R-2", "K2", "Rechnung", "", "01.03.2026", "30", "20,00", "EUR", "geprueft"],
    ]
    export = write_csv_export(tmp_path / "export.csv", rows)
    assert run("--mapping", mapping, "--input", export, "--landing", landing,
               "--extracted-at", STAMP) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "rows in 6: out 2, rejected 4, skipped by the mapping 0" in printed
    assert "rejected 2: invoice_id: duplicate key, the rows differ" in printed
    assert "rejected 2: invoice_id: duplicate of an identical row above" in printed
    written = pl.read_csv(landing / f"erp/invoices_{STAMP}.csv", infer_schema=False)
    assert written.select("invoice_id", "amount").rows() == [("R-2", "20.00"), ("R-3", "30.00")]
    rejected = pl.read_csv(landing / f"_rejected/invoices_{STAMP}.rejected.csv", infer_schema=False)
    assert rejected.select("_source_row", "_field", "_value", "_reason", "Ziel").rows() == [
        ("2", "invoice_id", "R-1", "duplicate key invoice_id=R-1 (rows 2, 4)", "30"),
        ("4", "invoice_id", "R-1", "duplicate key invoice_id=R-1 (rows 2, 4)", "60"),
        ("5", "invoice_id", "R-2", "duplicate of row 3", "30"),
        ("7", "invoice_id", "R-2", "duplicate of row 3", "30"),
    ]
    distinct = tmp_path / "distinct.yml"
    distinct.write_text("distinct: true\n" + MAPPING, encoding="utf-8")
    assert run("--mapping", distinct, "--input", export, "--landing", landing, "--check") == 0
    assert "rows in 6: out 3, rejected 0, skipped by the mapping 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["Beleg", "Kunde", "Beleg"],
            "header 'Beleg' in columns A and C (a header names one column)",
        ),
        (["Beleg", "", "Kunde"], "column B has values but no header"),
        (["Beleg", "Kunde ", " Kunde"], "header 'Kunde' in columns B and C"),
    ],
    ids=["a header twice", "values without a header", "a header twice once trimmed"],
)
def test_excel_headers_that_collide_are_refused_naming_the_sheet_and_column(
    tmp_path: Path,
    landing: Path,
    mapping: Path,
    capsys: pytest.CaptureFixture[str],
    header: list[str],
    expected: str,
) -> None:
    """Two cells of one header, or values under no header, would read as one column (the last
    one's cells): refused in one line, naming the file, the sheet and the column."""
    export = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Belege"
    sheet.append(header)
    sheet.append(["R-1", "K1", "K2"])
    book.save(export)
    assert run("--mapping", mapping, "--input", export, "--landing", landing, "--check") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"amicable: error: input {export}: sheet 'Belege': {expected}")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "Beleg,Kunde,Beleg\nR-1,K1,R-2\n",
            "header 'Beleg' in columns A and C (a header names one column)",
        ),
        ("Beleg,,Kunde\nR-1,x,K1\n", "column B has values but no header"),
    ],
    ids=["a header twice", "values without a header"],
)
def test_csv_headers_that_collide_are_refused_as_in_a_sheet(
    tmp_path: Path,
    landing: Path,
    mapping: Path,
    capsys: pytest.CaptureFixture[str],
    lines: str,
    expected: str,
) -> None:
    """Polars would rename the second `Beleg` to `Beleg_duplicated_0`, and the mapping read
    the first one without a word."""
    export = tmp_path / "export.csv"
    export.write_text(lines, encoding="utf-8")
    assert run("--mapping", mapping, "--input", export, "--landing", landing, "--check") == 2
    assert capsys.readouterr().err == f"amicable: error: input {export}: {expected}\n"


def test_a_column_with_neither_header_nor_values_is_left_out(tmp_path: Path) -> None:
    export = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Beleg", None, "Kunde"])
    sheet.append(["R-1", None, "K1"])
    sheet["B3"].number_format = "0.00"  # formatted, empty: within the sheet's range
    book.save(export)
    read = read_export(export, ReadOptions())
    assert read.source_columns == ["Beleg", "Kunde"]
    assert read.frame.select("Beleg", "Kunde").rows() == [("R-1", "K1")]
