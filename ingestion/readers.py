"""One reader per source format: CSV, JSON lines, ISO 20022 camt.053 XML and SWIFT MT940.

Every reader turns one file into a `FileContent`: a frame of strings (the contract's columns plus
`_source_row`), records for lines that could not be parsed at all, and, when the whole file breaks
the contract (wrong header, not UTF-8, not XML...), the reason it was rejected. Readers never
raise on bad content; typing and row validation happen in `ingestion.validate`.

Row numbers (`_source_row`): CSV = physical line number (the header is line 1); JSON lines = line
number; camt.053 = ordinal of the entry (`Ntry`) within the file, from 1; MT940 = ordinal of
the entry (`:61:`) within the file, from 1.

Text is UTF-8; a byte-order mark is dropped (CSV and JSON lines alike). A file that is not UTF-8
is rejected naming the first bad byte's line and offset in the file.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ingestion.camt053 import CamtError, read_columns
from ingestion.contracts import SourceTable
from ingestion.mt940_statements import Mt940Error, read_entries

RECORD_CHARS = 2000  # a quarantined record keeps at most this much of its line
MAX_JSON_DEPTH = 32  # deeper JSON is refused: the payload checks' JSON paths stop at 128
UNTERMINATED = (
    "unterminated quote: a quoted field opened on this line does not close where its record "
    "ends; this line is quarantined and the next line read as a new record"
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


@dataclass
class FileContent:
    rows: pl.DataFrame
    unparsed: list[dict] = field(default_factory=list)  # quarantine records (validate schema)
    rejected: str | None = None

    @property
    def rows_read(self) -> int:
        return self.rows.height + len(self.unparsed)


def string_frame(records: Iterable[dict], source: SourceTable) -> pl.DataFrame:
    """The contract's columns as strings, plus `_source_row`."""
    schema = {c: pl.String for c in source.columns} | {"_source_row": pl.Int64}
    return pl.DataFrame(list(records), schema=schema, orient="row")


def _unparsed(row: int, reason: str, record: str, field_name: str | None = None) -> dict:
    return {
        "source_row": row,
        "field": field_name,
        "value": None,
        "reason": reason,
        "record": record[:RECORD_CHARS],
    }


def read_file(path: Path, source: SourceTable, fmt: str | None = None) -> FileContent:
    """The file read in `fmt`, by default the format its name gives among the source's."""
    fmt = fmt or source.format_of(path.name) or source.fmt
    readers = {"csv": read_csv, "jsonl": read_jsonl, "camt053": read_camt053, "mt940": read_mt940}
    return readers[fmt](path, source)


def decode_utf8(content: bytes) -> tuple[str | None, str | None]:
    """The text of a UTF-8 file without its byte-order mark, or why it is not UTF-8 (the first
    bad byte, its line and its offset in the file)."""
    bom = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    try:
        return content[bom:].decode("utf-8"), None
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = content.count(b"\n", 0, offset) + 1
        bad = content[offset : offset + 1].hex()
        return None, (
            f"file rejected: not UTF-8 text (byte 0x{bad} at line {line}, offset {offset} "
            "of the file)"
        )


def physical_lines(text: str) -> list[str]:
    """Lines split at `\\n` only (each keeps its end); a last line without one counts."""
    lines = text.split("\n")
    ends = [line + "\n" for line in lines[:-1]]
    return ends + ([lines[-1]] if lines[-1] else [])


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


def _unterminated(chunk: list[str]) -> bool:
    """Whether a record spanning several lines ends inside a quoted field (or quotes badly)."""
    try:
        list(csv.reader(chunk, strict=True))
    except csv.Error:
        return True
    return False


@dataclass(frozen=True)
class _Record:
    line: int  # physical line (from 1) where the record starts
    end: int  # index of the line after the record
    fields: list[str] | None  # None: the record is broken (see `reason`)
    text: str
    reason: str | None = None


def _csv_records(lines: list[str], start: int, width: int | None) -> Iterator[_Record]:
    """The CSV records of `lines[start:]`, blank lines skipped. A record spanning several lines
    that ends inside a quote or has not `width` fields is a runaway quote: its first line alone
    is reported broken and reading resumes on the next line (the rest of the file is not
    swallowed into one record)."""
    pos = start
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None))
        base, consumed = pos, 0
        for row in reader:
            first, consumed = base + consumed, reader.line_num
            end = base + consumed
            if not row:
                continue
            if end - first > 1 and (
                (width is not None and len(row) != width) or _unterminated(lines[first:end])
            ):
                yield _Record(first + 1, first + 1, None, lines[first].rstrip("\r\n"), UNTERMINATED)
                pos = first + 1
                break
            yield _Record(first + 1, end, row, ",".join(row))
        else:
            return


def read_csv(path: Path, source: SourceTable) -> FileContent:
    content = path.read_bytes()  # read once: decoded, parsed and counted
    text, not_utf8 = decode_utf8(content)
    if text is None:
        return FileContent(string_frame([], source), rejected=not_utf8)
    lines = physical_lines(text)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a long field is data
    head = next(_csv_records(lines, 0, None), None)
    if head is None or head.fields is None:
        return FileContent(string_frame([], source), rejected="file rejected: empty, no header row")
    header = head.fields
    problem = _header_problem(header, source)
    if problem is not None:
        field_name, reason = problem
        rejected = [
            _unparsed(r.line, reason, r.text, field_name)
            for r in _csv_records(lines, head.end, len(header))
        ]
        return FileContent(string_frame([], source), rejected, rejected=reason)
    if head.line == 1 and head.end == 1:
        fast = _read_csv_fast(content, lines, source, header)
        if fast is not None:
            return fast
    records: list[dict] = []
    unparsed: list[dict] = []
    for r in _csv_records(lines, head.end, len(header)):
        if r.fields is None:
            unparsed.append(_unparsed(r.line, r.reason or "", r.text))
        elif len(r.fields) != len(header):
            reason = f"row has {len(r.fields)} fields, the header has {len(header)}"
            if _unterminated(lines[r.line - 1 : r.end]):
                reason, text = UNTERMINATED, lines[r.line - 1].rstrip("\r\n")
            else:
                text = r.text
            unparsed.append(_unparsed(r.line, reason, text))
        else:
            records.append(dict(zip(header, r.fields, strict=True)) | {"_source_row": r.line})
    return FileContent(string_frame(records, source), unparsed)


def _read_csv_fast(
    content: bytes, lines: list[str], source: SourceTable, header: list[str]
) -> FileContent | None:
    """Polars, when every record is one line (row = line) and no row is short (polars pads a
    short row with empty fields: a row whose last field is empty is checked with the csv
    module); None when the file needs the line-by-line reader."""
    try:
        frame = pl.read_csv(
            content, infer_schema=False, raise_if_empty=False, truncate_ragged_lines=False
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != len(lines) - 1 or frame.columns[1:] != header[1:]:
        return None
    frame = frame.rename({frame.columns[0]: header[0]})  # drop a BOM polars may keep
    last = frame.columns[-1]
    suspects = frame.with_row_index("_i").filter(pl.col(last).is_null())["_i"].to_list()
    for i in suspects:
        if len(next(csv.reader([lines[i + 1]]), [])) != len(header):
            return None
    return FileContent(
        frame.with_row_index("_source_row", offset=2)
        .with_columns(pl.col("_source_row").cast(pl.Int64))
        .select(source.columns + ["_source_row"])
    )


_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True)  # one for every value


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return _ENCODER.encode(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _depth(value: object) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level + 1)
            if deepest > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((v, level + 1) for v in children)
    return deepest


# Numbers and constants kept as their text (`1.50` stays `1.50`); one decoder for every line
# (json.loads would build one per call).
_DECODER = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)


def _parse_json_line(line: str) -> tuple[object, str | None, str | None]:
    """(object, reason it cannot be read, field to blame) for one JSON line."""
    try:
        if line.startswith("\ufeff"):  # json.loads' own refusal of a byte-order mark
            obj = json.loads(line, parse_float=str, parse_int=str, parse_constant=str)
        else:
            obj = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        return None, f"line is not JSON: {exc.msg} (column {exc.colno})", None
    except RecursionError:
        return None, "line is not JSON this reader accepts: nested too deeply", None
    if not isinstance(obj, dict):
        return None, "line is not a JSON object", None
    # a value is nested at most as deep as the line has opening brackets: walk it only then
    if line.count("{") + line.count("[") > MAX_JSON_DEPTH and _depth(obj) > MAX_JSON_DEPTH:
        reason = f"line is not JSON this reader accepts: nested deeper than {MAX_JSON_DEPTH}"
        return None, reason, None
    if _SURROGATE_ESCAPE.search(line) and _has_surrogate(obj):
        reason = "a \\u escape names half a UTF-16 surrogate pair, not a character"
        blamed = (k for k, v in obj.items() if _has_surrogate(v) and not _has_surrogate(k))
        return None, reason, next(blamed, None)
    return obj, None, None


def read_jsonl(path: Path, source: SourceTable) -> FileContent:
    text, not_utf8 = decode_utf8(path.read_bytes())
    if text is None:
        return FileContent(string_frame([], source), rejected=not_utf8)
    records: list[dict] = []
    unparsed: list[dict] = []
    columns = source.columns
    for n, line in enumerate(physical_lines(text), start=1):
        if not line.strip():
            continue
        obj, reason, blamed = _parse_json_line(line)
        if not isinstance(obj, dict):
            unparsed.append(_unparsed(n, reason or "", line.rstrip("\r\n"), blamed))
            continue
        get = obj.get
        record = {
            c: v if (v := get(c)) is None or v.__class__ is str else _as_text(v) for c in columns
        }
        record["_source_row"] = n
        records.append(record)
    return FileContent(string_frame(records, source), unparsed)


def read_camt053(path: Path, source: SourceTable) -> FileContent:
    """The entries as columns straight into the frame: no dict per row."""
    try:
        columns = read_columns(path)
    except CamtError as exc:
        return FileContent(string_frame([], source), rejected=f"file rejected: {exc}")
    rows = len(columns["statement_id"])
    frame = pl.DataFrame(
        {c: columns[c] for c in source.columns} | {"_source_row": range(1, rows + 1)},
        schema={c: pl.String for c in source.columns} | {"_source_row": pl.Int64},
    )
    return FileContent(frame)


def read_mt940(path: Path, source: SourceTable) -> FileContent:
    """The `:61:` entries as columns; an entry of a statement that does not parse is recorded
    with the reason (its ordinal and its `:61:` line)."""
    try:
        entries = read_entries(path)
    except Mt940Error as exc:
        return FileContent(string_frame([], source), rejected=f"file rejected: {exc}")
    frame = pl.DataFrame(
        {c: entries.columns[c] for c in source.columns} | {"_source_row": entries.rows},
        schema={c: pl.String for c in source.columns} | {"_source_row": pl.Int64},
    )
    unparsed = [_unparsed(u.row, u.reason, u.record) for u in entries.unparsed]
    return FileContent(frame, unparsed)
