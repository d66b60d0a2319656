"""A statement of account as CSV and PDF (fpdf2), and a bulk run writing one file pair per
debtor.

The CSV is one UTF-8 file of sections, each a title row then a table, separated by one empty
row (as the case file's): `statement` (key, value: the debtor, the period, per currency the
closing balance and the open amount, where it came from), `lines`, `items`, `ageing`.
The PDF (A4 portrait) has per currency the lines with their running balance, the items and
the ageing summary; each page names the debtor, the period and the warehouse it came from.
A statement whose text is all Latin-1 prints with the PDF core font; one with other letters
(a name in another script) with DejaVu Sans when the machine has it
(`amicable.case_file.pdf.Document`, the case file's), else transliterated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from fpdf.fonts import FontFace

from amicable.case_file.pdf import Document, latin1
from amicable.case_file.tables import cell, csv_sections
from amicable.statements.load import (
    AGEING_COLUMNS,
    ITEM_COLUMNS,
    LINE_COLUMNS,
    Statement,
)

KIND_WORDS = {
    "opening_balance": "Balance brought forward",
    "invoice": "Invoice",
    "credit_note": "Credit note applied",
    "payment": "Payment applied",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(debtor_id: str, as_of: object) -> str:
    """`statement_<debtor id>_<date>`: the same for the same debtor and date, safe on every
    file system (characters other than letters, digits, `.`, `_`, `-` become `_`)."""
    safe = _UNSAFE.sub("_", debtor_id).strip("._") or "debtor"
    return f"statement_{safe}_{cell(as_of)}"


def facts(statement: Statement) -> list[tuple[str, str]]:
    """(key, value) of the statement's header and, per currency, its closing figures."""
    source = statement.provenance
    rows = [
        ("debtor_id", statement.debtor_id),
        ("debtor_name", cell(statement.debtor_name)),
        ("segment", cell(statement.segment)),
        ("period_from", cell(statement.from_date)),
        ("statement_date", cell(statement.as_of)),
        ("reporting_currency", cell(statement.reporting_currency)),
    ]
    for currency in statement.currencies:
        rows.append((f"closing_balance_{currency}", cell(statement.closing_balance(currency))))
        rows.append((f"open_amount_{currency}", cell(statement.open_amount(currency))))
    rows += [
        ("open_amount_rc", cell(statement.open_amount_rc)),
        ("warehouse", str(source.warehouse)),
        ("build_run_id", source.build_run_id or "unknown"),
        ("build_as_of", cell(source.build_as_of)),
        ("generated_at", cell(source.generated_at)),
    ]
    return rows


def to_csv(statement: Statement) -> bytes:
    """The statement as CSV sections (UTF-8)."""
    sections = [
        ("statement", ["key", "value"], [list(row) for row in facts(statement)]),
        ("lines", list(LINE_COLUMNS), _rows(statement.lines, LINE_COLUMNS)),
        ("items", list(ITEM_COLUMNS), _rows(statement.items, ITEM_COLUMNS)),
        ("ageing", list(AGEING_COLUMNS), _rows(statement.ageing, AGEING_COLUMNS)),
    ]
    return csv_sections(sections)


def _rows(frame: pd.DataFrame, columns: Iterable[str]) -> list[list[str]]:
    names = list(columns)
    return [[cell(value) for value in row] for row in frame[names].itertuples(index=False)]


class _Document(Document):
    def __init__(self, statement: Statement, use_unicode_font: bool) -> None:
        source = statement.provenance
        super().__init__(
            "portrait",
            f"Statement of account {statement.debtor_id} {statement.as_of}",
            source.generated_at,
            f"Statement {statement.debtor_id}, {statement.from_date} to {statement.as_of} - "
            f"generated {cell(source.generated_at)} from warehouse {source.warehouse}, build "
            f"run {source.build_run_id or 'unknown'}",
            use_unicode_font,
            margin=12,
        )

    def footer(self) -> None:
        """The source on up to two lines, the page number beside them (a long warehouse path
        would run into it on one line)."""
        self.set_y(-13)
        self.set_font(self.font_name, "", 6.5)
        self.multi_cell(self.epw - 22, 3, self.footer_text, align="L")
        self.set_xy(self.l_margin, -13)
        self.cell(0, 3, f"page {self.page_no()} of {{nb}}", align="R")

    def table_of(self, headings: list[tuple[str, float, str]], rows: list[list[str]]) -> None:
        """A table with repeated headings; each heading is (name, width, alignment)."""
        self.set_font(self.font_name, "", 7.5)
        widths = [width for _, width, _ in headings]
        aligns = [align for _, _, align in headings]
        with self.table(
            col_widths=widths, width=sum(widths), line_height=4, text_align=aligns,
            borders_layout="HORIZONTAL_LINES", headings_style=FontFace(emphasis="BOLD"),
        ) as table:  # fmt: skip
            table.row([self.clean(name) for name, _, _ in headings])
            for row in rows:
                table.row([self.clean(value) for value in row])
        self.ln(3)


def to_pdf(statement: Statement, use_unicode_font: bool = True) -> bytes:
    """The statement as PDF bytes (see the module docstring for fonts). The unicode font is
    loaded only for a statement with text beyond Latin-1: loading it takes most of the time of
    a statement otherwise (a bulk run makes thousands)."""
    doc = _Document(statement, use_unicode_font and _beyond_latin1(statement))
    doc.add_page()
    doc.paragraph(16, "Statement of account", bold=True, height=8)
    name = statement.debtor_name or statement.debtor_id
    doc.paragraph(10, f"{name} ({statement.debtor_id}), segment {statement.segment or 'unknown'}")
    doc.paragraph(
        10, f"Period {statement.from_date} to {statement.as_of}; statement date {statement.as_of}"
    )
    doc.ln(2)
    if not statement.currencies:
        doc.paragraph(9, "Nothing was open and nothing moved in the period.")
    for currency in statement.currencies:
        _currency_section(doc, statement, currency)
    _ageing_total(doc, statement)
    return bytes(doc.output())


def _beyond_latin1(statement: Statement) -> bool:
    texts = [statement.debtor_name or "", str(statement.provenance.warehouse)]
    for frame in (statement.lines, statement.items):
        texts += [str(value) for value in frame["invoice_number"] if value is not None]
    return any(latin1(text) != text for text in texts)


def _currency_section(doc: _Document, statement: Statement, currency: str) -> None:
    closing = statement.closing_balance(currency)
    doc.paragraph(12, f"In {currency}: balance {cell(closing)} at {statement.as_of}", bold=True)
    lines = statement.lines[statement.lines["currency"] == currency]
    headings = [
        ("Date", 22, "LEFT"), ("Entry", 38, "LEFT"), ("Invoice", 34, "LEFT"), ("Due", 22, "LEFT"),
        ("Debit", 22, "RIGHT"), ("Credit", 22, "RIGHT"), ("Balance", 26, "RIGHT"),
    ]  # fmt: skip
    rows = [
        [
            cell(line.line_date),
            KIND_WORDS.get(line.line_kind, line.line_kind),
            cell(line.invoice_number or line.invoice_id),
            cell(line.due_date),
            cell(line.amount) if line.line_kind != "opening_balance" and line.amount > 0 else "",
            cell(-line.amount) if line.line_kind != "opening_balance" and line.amount < 0 else "",
            cell(line.balance),
        ]
        for line in lines.itertuples(index=False)
    ]
    doc.paragraph(9, "Account movements", bold=True)
    doc.table_of(headings, rows)
    items = statement.items[statement.items["currency"] == currency]
    doc.paragraph(9, f"Items open at {statement.as_of} or settled in the period", bold=True)
    headings = [
        ("Invoice", 30, "LEFT"), ("Issued", 20, "LEFT"), ("Due", 20, "LEFT"),
        ("Amount", 22, "RIGHT"), ("Paid", 22, "RIGHT"), ("Credited", 20, "RIGHT"),
        ("Open", 22, "RIGHT"), ("Status", 30, "LEFT"),
    ]  # fmt: skip
    rows = [
        [
            cell(item.invoice_number or item.invoice_id),
            cell(item.issue_date),
            cell(item.due_date),
            cell(item.invoice_amount),
            cell(item.paid_amount),
            cell(item.credited_amount),
            cell(item.open_amount),
            (
                f"{item.ageing_bucket} ({item.days_past_due} d)"
                if item.status == "open"
                else f"settled {cell(item.settled_on)}".strip()
            ),
        ]
        for item in items.itertuples(index=False)
    ]
    doc.table_of(headings, rows)
    ageing = statement.ageing[statement.ageing["currency"] == currency]
    if not ageing.empty:
        doc.paragraph(9, f"Ageing at {statement.as_of} (days past the due date)", bold=True)
        width = 186 / (len(ageing) + 2)
        headings = [
            ("", width, "LEFT"),
            *[(str(bucket), width, "RIGHT") for bucket in ageing["ageing_bucket"]],
            ("Total", width, "RIGHT"),
        ]
        amounts_rc = list(ageing["open_amount_rc"])
        total_rc = None if any(pd.isna(a) for a in amounts_rc) else sum(amounts_rc)
        rows = [
            [currency, *map(cell, ageing["open_amount"]), cell(sum(ageing["open_amount"]))],
            [
                statement.reporting_currency or "reporting",
                *[cell(amount) if not pd.isna(amount) else "no rate" for amount in amounts_rc],
                cell(total_rc) if total_rc is not None else "no rate",
            ],
        ]
        doc.table_of(headings, rows)
    doc.ln(2)


def _ageing_total(doc: _Document, statement: Statement) -> None:
    reporting = statement.reporting_currency or "the reporting currency"
    total = statement.open_amount_rc
    text = "unknown (an FX rate is missing)" if total is None else cell(total)
    doc.paragraph(
        9, f"Open at {statement.as_of} in {reporting} at that date's rates: {text}", bold=True
    )


@dataclass(frozen=True)
class Written:
    """The file pair written for one debtor."""

    debtor_id: str
    pdf: Path
    csv: Path
    lines: int


def write_statement(statement: Statement, out_dir: Path) -> Written:
    """Write `<stem>.pdf` and `<stem>.csv` (`file_stem`) of `statement` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = file_stem(statement.debtor_id, statement.as_of)
    pdf, csv_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.csv"
    pdf.write_bytes(to_pdf(statement))
    csv_path.write_bytes(to_csv(statement))
    return Written(statement.debtor_id, pdf, csv_path, len(statement.lines))
