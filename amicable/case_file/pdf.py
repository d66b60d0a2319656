"""The case file as a PDF (fpdf2): A4 landscape, the case's facts, the reconciliation, its
breaches with the parameters in force, its scores (information only, not evidence), then every
record with its verdict; each page says which
case, page n of N, when the file was made and from which warehouse and build run.

Names in any script print with DejaVu Sans when the machine has it (no download: the usual
system paths only); without it, the PDF core font is used and letters outside Latin-1 are
transliterated (`Ł` -> `L`, else `?`). The CSV export always keeps the exact text.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from amicable.case_file.load import SCORES_TITLE, CaseFile
from amicable.case_file.tables import cell, score_lines

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
NOT_LATIN1 = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Œ": "OE", "œ": "oe", "ı": "i", "€": "EUR",
              "–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}  # fmt: skip
RECORD_HEADINGS = (
    ("#", 7), ("When (UTC)", 29), ("Local time", 29), ("Record", 20), ("Source table / id", 40),
    ("Activity", 25), ("Direction / outcome", 30), ("Agent", 12), ("Detail", 36),
    ("Amount", 21), ("Verdict", 28),
)  # fmt: skip
BREACH_FILL = (255, 228, 228)
MAX_LISTED = 25  # problems and quarantined rows listed in the PDF (the CSV has them all)


def unicode_font() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold, when both are installed in a usual place."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def latin1(text: str) -> str:
    """`text` printable with a PDF core font: accents dropped where Latin-1 lacks the letter."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and c.isprintable()
        )
        out.append(base or NOT_LATIN1.get(char, "?"))
    return "".join(out)


class Document(FPDF):
    """An fpdf2 document with the unicode font when installed (`clean` makes text printable
    with the font in use), its metadata, `paragraph` and a footer of `footer_text` and page n
    of N on every page (the case file's and the statements of account's)."""

    def __init__(
        self,
        orientation: str,
        title: str,
        generated_at: datetime,
        footer_text: str,
        use_unicode_font: bool,
        margin: float = 10,
    ) -> None:
        super().__init__(orientation=orientation, format="A4")
        fonts = unicode_font() if use_unicode_font else None
        if fonts:
            self.add_font("DejaVu", "", str(fonts[0]))
            self.add_font("DejaVu", "B", str(fonts[1]))
        self.font_name = "DejaVu" if fonts else "Helvetica"
        self.clean = (lambda text: text) if fonts else latin1
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin=14)
        self.set_title(title)
        self.set_creator("amicable")
        self.set_creation_date(generated_at)
        self.footer_text = self.clean(footer_text)

    def paragraph(self, size: float, text: str, bold: bool = False, height: float = 5) -> None:
        self.set_font(self.font_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(self.font_name, "", 6.5)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, f"page {self.page_no()} of {{nb}}", align="R")


class _Document(Document):
    def __init__(self, case_file: CaseFile, use_unicode_font: bool) -> None:
        source = case_file.provenance
        super().__init__(
            "landscape",
            f"Case file {case_file.case_id}",
            source.generated_at,
            f"Case file {case_file.case_id} - generated {cell(source.generated_at)} from "
            f"warehouse {source.warehouse}, build run {source.build_run_id or 'unknown'}, "
            f"as of {source.as_of}",
            use_unicode_font,
        )
        self.case_file = case_file

    def table_of(self, headings, rows, fills=None, titled: bool = True) -> None:
        """A table with repeated headings (none unless `titled`); `fills`: per row, True to
        shade it (a breach)."""
        self.set_font(self.font_name, "", 7)
        widths = [width for _, width in headings]
        with self.table(
            col_widths=widths, width=sum(widths), line_height=3.6, text_align="LEFT",
            borders_layout="HORIZONTAL_LINES", headings_style=FontFace(emphasis="BOLD"),
            first_row_as_headings=titled,
        ) as table:  # fmt: skip
            if titled:
                table.row([self.clean(name) for name, _ in headings])
            for number, row in enumerate(rows):
                shade = fills is not None and fills[number]
                style = FontFace(fill_color=BREACH_FILL) if shade else None
                table.row([self.clean(value) for value in row], style=style)
        self.ln(3)


def to_pdf(case_file: CaseFile, use_unicode_font: bool = True) -> bytes:
    """The case file as PDF bytes (see the module docstring for fonts)."""
    doc = _Document(case_file, use_unicode_font)
    doc.add_page()
    _facts(doc, case_file)
    _reconciliation(doc, case_file)
    _breaches(doc, case_file)
    _scores(doc, case_file)
    _records(doc, case_file)
    return bytes(doc.output())


def _facts(doc: _Document, case_file: CaseFile) -> None:
    h = case_file.header
    doc.paragraph(16, f"Case file {case_file.case_id}", bold=True, height=8)
    status = "open" if h["is_open"] else f"closed {_when(h['closed_at'])} ({h['close_reason']})"
    window_end = h["ledger_window_end_date"]
    window = f"from {cell(h['ledger_window_start_date'])} " + (
        f"to {cell(window_end)} (excluded: the debtor's next case)"
        if window_end
        else f"to the as-of date {cell(h['as_of_date'])}"
    )
    pairs = [
        ("Debtor", f"{h['debtor_name']} ({h['debtor_id']}), {h['segment']}, {h['country_code']}"),
        ("Time zone", f"{h['time_zone']}" + ("" if h["has_known_time_zone"] else " (unknown)")),
        ("Jurisdiction / pack", f"{h['jurisdiction']} / {h['rule_pack'] or 'none'}"),
        ("Strategy", str(h["strategy"])),
        ("Opened (UTC)", _when(h["opened_at"])),
        ("Placed", f"{cell(h['placed_amount'])} {h['currency']}"),
        ("Status at as-of (UTC)", status),
        ("Agent", f"{h['owner_agent_name']} ({h['owner_agent_id']}), team {h['owner_team']}"),
        ("Payments and credit notes", window),
        ("Invoices", f"open at opening, or issued to {cell(h['documents_issued_to_date'])}"),
        ("Breaches", f"{h['breaches']} (+ {h['unverifiable_contacts']} unverifiable)"),
        ("Records", str(len(case_file.records))),
    ]
    rows = [[*pairs[i], *(pairs[i + 1] if i + 1 < len(pairs) else ("", ""))]
            for i in range(0, len(pairs), 2)]  # fmt: skip
    doc.table_of((("", 38), ("", 100), ("", 38), ("", 101)), rows, titled=False)


def _reconciliation(doc: _Document, case_file: CaseFile) -> None:
    recon = case_file.reconciliation
    result = "PASSED" if recon.ok else "FAILED"
    doc.paragraph(10, f"Reconciliation to the source rows: {result}", bold=True)
    headings = (
        ("Record", 30), ("Source table", 45), ("Currency", 20), ("In file", 25),
        ("In sources", 25), ("File amount", 40), ("Source amount", 40), ("Agrees", 52),
    )  # fmt: skip
    rows = [
        [line.record_kind, line.source_table, line.currency, str(line.file_count),
         str(line.source_count), cell(line.file_amount), cell(line.source_amount),
         "yes" if line.ok else "NO"]
        for line in recon.lines.itertuples(index=False)
    ]  # fmt: skip
    doc.table_of(headings, rows, [not line.ok for line in recon.lines.itertuples(index=False)])
    for title, notes in (("Differences", recon.problems), ("Quarantined", recon.quarantined)):
        if notes:
            more = len(notes) - MAX_LISTED
            listed = "\n".join(notes[:MAX_LISTED])
            listed += f"\n... and {more} more (see the CSV export)" if more > 0 else ""
            doc.paragraph(8, f"{title} ({len(notes)}):\n{listed}")
    doc.ln(2)


def _breaches(doc: _Document, case_file: CaseFile) -> None:
    doc.paragraph(10, f"Breaches ({len(case_file.breaches)})", bold=True)
    if case_file.breaches.empty:
        doc.paragraph(8, "No rule of the case's packs is breached.")
        doc.ln(2)
        return
    headings = (("Rule", 38), ("When (UTC)", 30), ("Agent", 15), ("Evidence", 60),
                ("Parameters in force", 84), ("Legal reference", 50))  # fmt: skip
    rows = [
        [b.rule_id + (" (unverifiable)" if b.is_unverifiable else ""), _when(b.occurred_at),
         cell(b.agent_id), b.evidence_ids.replace(",", ", "), _parameters(b.parameters),
         cell(b.legal_reference)]
        for b in case_file.breaches.itertuples(index=False)
    ]  # fmt: skip
    doc.table_of(headings, rows)


def _scores(doc: _Document, case_file: CaseFile) -> None:
    doc.paragraph(10, SCORES_TITLE, bold=True)
    if not case_file.scores.empty:
        doc.paragraph(
            8,
            "Estimates from the case's history, made to order the work: they prove nothing and "
            "decide nothing about the debtor or the case.",
        )
    doc.paragraph(8, "\n".join(score_lines(case_file)))
    doc.ln(2)


def _records(doc: _Document, case_file: CaseFile) -> None:
    doc.paragraph(10, "Records in time order (file and row of each: CSV export)", bold=True)
    rows, fills = [], []
    for r in case_file.records.itertuples(index=False):
        amount = f"{cell(r.amount)} {r.currency}" if cell(r.amount) else ""
        contact = " / ".join(v for v in (cell(r.direction), cell(r.outcome)) if v)
        rows.append(
            [str(r.record_seq), _when(r.occurred_at), _when(r.local_at),
             r.record_kind.replace("_", " "),
             f"{r.source_table} {r.source_id}", cell(r.activity), contact, cell(r.agent_id),
             cell(r.detail), amount, _verdict(r)]
        )  # fmt: skip
        fills.append(r.verdict == "breach")
    doc.table_of(RECORD_HEADINGS, rows, fills)


def _when(value) -> str:
    """`2025-10-07 06:17:35`: a timestamp as the tables show it (the column says which clock)."""
    return cell(value, "local_at").replace("T", " ")


def _verdict(r) -> str:
    if r.verdict == "breach":
        return f"BREACH {r.breached_rule_ids}"
    if r.verdict == "unverifiable":
        return f"unverifiable: {r.unverifiable_rule_ids}"
    text = cell(r.verdict)
    if cell(r.cited_by_rule_ids):
        text = f"{text}; evidence for {r.cited_by_rule_ids}".lstrip("; ")
    return text


def _parameters(text: str | None) -> str:
    """`{"window_days": 7, "channels": ["call"]}` -> `window_days=7, channels=call`."""
    if not text:
        return ""
    params = json.loads(text)
    shown = {k: "/".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()}
    return ", ".join(f"{k}={v}" for k, v in shown.items() if v is not None)
