"""The case file as text tables: the facts of its header, its sections, and the CSV export.

The CSV is one UTF-8 file of sections, each a title row then a table, separated by one empty
row: `case file` (key, value), `records`, `breaches`, `reconciliation`, `reconciliation
problems`, `quarantined source rows` and `scores (information only, not evidence)` (no row
when no score exists for the case). Times ending in `Z` are UTC; `local_at` is the
debtor's wall clock.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from amicable.case_file.load import NO_SCORES, SCORES_TITLE, CaseFile

LOCAL_COLUMNS = frozenset({"local_at"})  # wall-clock times: no `Z`


def cell(value: Any, column: str = "") -> str:
    """One value as text: ISO dates and times (UTC with `Z`), amounts with their decimals."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, datetime):
        text = value.replace(tzinfo=None).isoformat(timespec="seconds")
        return text if column in LOCAL_COLUMNS else f"{text}Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def facts(case_file: CaseFile) -> list[tuple[str, str]]:
    """(key, value) of the header: the case's dim_cases row, then where the file came from."""
    source = case_file.provenance
    rows = [(key, cell(value, key)) for key, value in case_file.header.items()]
    rows += [
        ("warehouse", str(source.warehouse)),
        ("build_run_id", source.build_run_id or "unknown"),
        ("built_at", cell(source.built_at, "built_at")),
        ("generated_at", cell(source.generated_at, "generated_at")),
        ("reconciliation", "passed" if case_file.reconciliation.ok else "FAILED"),
    ]
    return rows


def sections(case_file: CaseFile) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, column names, rows as text) of every section of the file, in order."""
    recon = case_file.reconciliation
    return [
        ("case file", ["key", "value"], [list(row) for row in facts(case_file)]),
        ("records", *_table(case_file.records)),
        ("breaches", *_table(case_file.breaches)),
        ("reconciliation", *_table(recon.lines)),
        ("reconciliation problems", ["problem"], [[p] for p in recon.problems]),
        ("quarantined source rows", ["row"], [[q] for q in recon.quarantined]),
        (SCORES_TITLE.lower(), *_table(case_file.scores)),
    ]


def score_lines(case_file: CaseFile) -> list[str]:
    """The case's scores in words, one line each (NO_SCORES when there is none):
    `pay_within_30_days 63% as of 2026-11-30 (model 20261204T101500); why: ...`."""
    lines = []
    for s in case_file.scores.itertuples(index=False):
        why = "; ".join(cell(r) for r in (s.reason_1, s.reason_2, s.reason_3) if cell(r))
        lines.append(
            f"{s.score} {s.probability:.0%} as of {cell(s.as_of)} (model {s.model_version})"
            + (f"; why: {why}" if why else "")
        )
    return lines or [NO_SCORES]


def _table(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    columns = [str(c) for c in frame.columns]
    rows = [
        [cell(value, column) for column, value in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False, name=None)
    ]
    return columns, rows


def to_csv(case_file: CaseFile) -> bytes:
    """The case file as CSV sections (UTF-8)."""
    return csv_sections(sections(case_file))


def csv_sections(parts: list[tuple[str, list[str], list[list[str]]]]) -> bytes:
    """(title, column names, rows as text) as one UTF-8 CSV: per part a title row, then its
    table; one empty row between parts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, (title, columns, rows) in enumerate(parts):
        if number:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(columns)
        writer.writerows(rows)
    return out.getvalue().encode("utf-8")
