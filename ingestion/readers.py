"""One reader per source format: CSV, JSON lines and ISO 20022 camt.053 XML.

Every reader turns one file into a `FileContent`: a frame of strings (the contract's columns plus
`_source_row`), records for lines that could not be parsed at all, and, when the whole file breaks
the contract (wrong header, not UTF-8, not XML...), the reason it was rejected. Readers never
raise on bad content; typing and row validation happen in `ingestion.validate`.

Row numbers (`_source_row`): CSV = physical line number (the header is line 1); JSON lines = line
number; camt.053 = ordinal of the entry (`Ntry`) within the file, from 1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion.camt053 import CamtError, iter_entries
from ingestion.contracts import SourceTable


@dataclass
class FileContent:
    rows: pl.DataFrame
    unparsed: list[dict] = field(default_factory=list)  # quarantine records (validate schema)
    rejected: str | None = None

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.unparsed)


def _frame(records: Iterable[dict], source: SourceTable) -> pl.DataFrame:
    schema = {c: pl.String for c in source.columns} | {"_source_row": pl.Int64}
    return pl.DataFrame(list(records), schema=schema, orient="row")


def _reject(rows: list[tuple[int, str]], field_name: str, reason: str) -> list[dict]:
    return [
        {"source_row": n, "field": field_name, "value": None, "reason": reason, "record": line}
        for n, line in rows
    ]


def read_file(path: Path, source: SourceTable) -> FileContent:
    reader = {"csv": read_csv, "jsonl": read_jsonl, "camt053": read_camt053}[source.fmt]
    return reader(path, source)


def _header_problem(header: list[str], source: SourceTable) -> tuple[str, str] | None:
    expected = source.columns
    missing = [c for c in expected if c not in header]
    unexpected = [c for c in header if c not in expected]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if not (missing or unexpected or duplicated):
        return None
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if unexpected:
        parts.append(f"unexpected column(s) {', '.join(unexpected)}")
    if duplicated:
        parts.append(f"repeated column(s) {', '.join(duplicated)}")
    blamed = (missing or unexpected or duplicated)[0]
    return blamed, "file rejected: header breaks the contract: " + "; ".join(parts)


def read_csv(path: Path, source: SourceTable) -> FileContent:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return FileContent(_frame([], source), rejected="file is empty: no header row")
            problem = _header_problem(header, source)
            if problem is None:
                return _read_csv_rows(path, source, header)
            lines = [(reader.line_num, ",".join(row)) for row in reader]
    except UnicodeDecodeError as exc:
        reason = f"file rejected: not UTF-8 text (byte {exc.start})"
        return FileContent(_frame([], source), rejected=reason)
    field_name, reason = problem
    return FileContent(_frame([], source), _reject(lines, field_name, reason), rejected=reason)


def _data_lines(content: bytes) -> int:
    """Physical lines after the header (a last line without a newline counts)."""
    return content.count(b"\n") - 1 + (not content.endswith(b"\n"))


def _read_csv_rows(path: Path, source: SourceTable, header: list[str]) -> FileContent:
    """Fast path with polars, when every record is one line (row = line); the csv module when
    a line is ragged or a quoted field spans lines, to keep physical line numbers."""
    content = path.read_bytes()  # read once: parsed and counted
    try:
        frame = pl.read_csv(
            content, infer_schema=False, raise_if_empty=False, truncate_ragged_lines=False
        )
        if frame.height == _data_lines(content):
            frame = frame.rename({frame.columns[0]: header[0]})  # drop a BOM polars may keep
            return FileContent(
                frame.with_row_index("_source_row", offset=2)
                .with_columns(pl.col("_source_row").cast(pl.Int64))
                .select(source.columns + ["_source_row"])
            )
    except pl.exceptions.PolarsError:
        pass
    records: list[dict] = []
    unparsed: list[dict] = []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader)
        first_line = reader.line_num + 1  # where the next record starts
        for row in reader:
            line, first_line = first_line, reader.line_num + 1
            if not row:  # a blank line: no record
                continue
            if len(row) != len(header):
                unparsed.append(
                    {
                        "source_row": line,
                        "field": None,
                        "value": None,
                        "reason": f"row has {len(row)} fields, the header has {len(header)}",
                        "record": ",".join(row),
                    }
                )
                continue
            records.append(dict(zip(header, row, strict=True)) | {"_source_row": line})
    return FileContent(_frame(records, source), unparsed)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def read_jsonl(path: Path, source: SourceTable) -> FileContent:
    records: list[dict] = []
    unparsed: list[dict] = []
    columns = source.columns
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line, parse_float=str, parse_int=str)
                except json.JSONDecodeError as exc:
                    obj, reason = None, f"line is not JSON: {exc.msg} (column {exc.colno})"
                else:
                    reason = "line is not a JSON object"
                if not isinstance(obj, dict):
                    unparsed.append(
                        {
                            "source_row": n,
                            "field": None,
                            "value": None,
                            "reason": reason,
                            "record": line.rstrip("\n")[:2000],
                        }
                    )
                    continue
                records.append({c: _as_text(obj.get(c)) for c in columns} | {"_source_row": n})
    except UnicodeDecodeError as exc:
        reason = f"file rejected: not UTF-8 text (byte {exc.start})"
        return FileContent(_frame([], source), rejected=reason)
    return FileContent(_frame(records, source), unparsed)


def read_camt053(path: Path, source: SourceTable) -> FileContent:
    try:
        records = [entry | {"_source_row": n} for n, entry in enumerate(iter_entries(path), 1)]
    except CamtError as exc:
        return FileContent(_frame([], source), rejected=f"file rejected: {exc}")
    return FileContent(_frame(records, source))
