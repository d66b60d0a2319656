"""Helpers for the case-file tests: open the sample warehouse, read a CSV case file back, and
read what a PDF shows (no PDF library here: fpdf2's core-font output is plain enough)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zlib
from pathlib import Path

import duckdb

from amicable.case_file import CaseFile, load_case_file


def copy_warehouse(source: Path, folder: Path) -> Path:
    """A writable copy of a built warehouse (the session's sample stays read-only)."""
    target = folder / "warehouse.duckdb"
    shutil.copy(source, target)
    return target


def case_file_of(warehouse: Path, case_id: str) -> CaseFile:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return load_case_file(con, case_id)


def csv_sections(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Title -> rows (dicts by column) of a CSV case file."""
    sections: dict[str, list[dict[str, str]]] = {}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    start = 0
    for end in [i for i, row in enumerate(rows) if not row] + [len(rows)]:
        title, columns, *body = rows[start:end]
        sections[title[0]] = [dict(zip(columns, row, strict=True)) for row in body]
        start = end + 1
    return sections


def pdf_page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def pdf_lines(data: bytes) -> list[str]:
    """The text of every text object (`BT ... ET`) of a core-font PDF, in drawing order."""
    shown: list[str] = []
    # The end of line before `endstream` stays in the chunk: a compressed stream may itself end
    # in a carriage return, and the decompressor leaves whatever follows the stream unused.
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            content = zlib.decompressobj().decompress(stream.group(1))
        except zlib.error:
            continue
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", content, re.S):
            parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", block)
            if parts:
                text = b"".join(re.sub(rb"\\(.)", rb"\1", part) for part in parts)
                shown.append(text.decode("latin-1"))
    return shown
