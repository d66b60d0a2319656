"""Reading a foreign export for `amicable import`: a CSV file or a sheet of an Excel workbook,
every cell as text, each row numbered as in the file.

The header row names each column once: a header twice, or values under a blank header, are
refused naming the column (a column with neither is left out).

Excel is read with python-calamine, cell by cell, because a column of an ERP export often mixes
kinds (dates and a typed-in text, numbers and `n/a`): a whole-column reader would turn such a
column into text and lose which cells Excel held as numbers and dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from ingestion.mapping import ReadOptions

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
EXCEL_DATE_TEXT = "%Y-%m-%d %H:%M:%S"  # how a cell Excel stores as a date is written here


class ImportFailed(Exception):
    """The export cannot be read or the output cannot be written (one line)."""


@dataclass(frozen=True)
class Export:
    """The export's cells as text, with `_source_row` (its row in the file; the header's is 1
    plus any lines skipped above it). An Excel cell that holds a number or a date (not text)
    is written `1234.5` or `YYYY-MM-DD HH:MM:SS` whatever the sheet's display format, and
    flagged in its column's `typed` column (`number`, `date`): the mapping's separators and
    date format apply to text cells only."""

    frame: pl.DataFrame
    typed: dict[str, str]  # source column -> the frame's column of its cells' kinds

    @property
    def source_columns(self) -> list[str]:
        flags = set(self.typed.values())
        return [c for c in self.frame.columns if c != "_source_row" and c not in flags]


def _cell(value: object) -> tuple[str | None, str | None]:
    """An Excel cell (python-calamine's value) as text, and its kind when not text."""
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int | float):
        number = float(value)
        return (str(int(number)) if number.is_integer() else repr(number)), "number"
    if isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
        return moment.strftime(EXCEL_DATE_TEXT), "date"
    text = str(value)
    return (text if text.strip() else None), None


def _column_letter(index: int) -> str:
    """Excel's name of the column at `index` (0: A, 26: AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _named_columns(
    where: str, header: Sequence[object], filled: Callable[[int], bool]
) -> list[tuple[int, str]]:
    """(index, name) of the export's columns by their header cells (`filled`: whether the
    column at an index holds a value below its header). A column with neither header nor value
    is left out; one with values and no header, or a header twice, is refused naming the
    column: either would leave a column unreadable by its name."""
    seen: dict[str, int] = {}
    named = []
    for i, cell in enumerate(header):
        name = str(cell if cell is not None else "").strip()
        if not name:
            if filled(i):
                raise ImportFailed(f"{where}: column {_column_letter(i)} has values but no header")
            continue
        if name in seen:
            raise ImportFailed(
                f"{where}: header {name!r} in columns {_column_letter(seen[name])} and "
                f"{_column_letter(i)} (a header names one column)"
            )
        seen[name] = i
        named.append((i, name))
    return named


def _read_sheet(path: Path, sheet_name: str | None, skip_lines: int) -> Export:
    book = CalamineWorkbook.from_path(str(path))
    try:
        sheet = book.get_sheet_by_name(sheet_name) if sheet_name else book.get_sheet_by_index(0)
    except Exception:  # python-calamine raises its own errors for a missing sheet
        names = ", ".join(book.sheet_names)
        raise ImportFailed(f"input {path}: no sheet {sheet_name!r} (sheets: {names})") from None
    rows = sheet.to_python(skip_empty_area=False)[skip_lines:]
    if not rows:
        raise ImportFailed(f"input {path}: the sheet is empty, no header row")
    columns: dict[str, list] = {}
    typed: dict[str, str] = {}

    def filled(i: int) -> bool:
        return any(i < len(row) and str(row[i]).strip() for row in rows[1:])

    for i, name in _named_columns(f"input {path}: sheet {sheet.name!r}", rows[0], filled):
        cells = [_cell(row[i]) if i < len(row) else (None, None) for row in rows[1:]]
        columns[name] = [text for text, _ in cells]
        if any(kind for _, kind in cells):
            typed[name] = f"__kind__{name}"
            columns[typed[name]] = [kind for _, kind in cells]
    schema = dict.fromkeys(columns, pl.String)
    return Export(pl.DataFrame(columns, schema=schema), typed)


def _read_csv(path: Path, read: ReadOptions) -> pl.DataFrame:
    """The CSV file's rows under its header (read as a row, so that a header twice or a blank
    one is refused as in a sheet, where polars would rename it)."""
    frame = pl.read_csv(
        path,
        has_header=False,
        infer_schema=False,
        separator=read.delimiter,
        encoding=read.encoding,
        skip_rows=read.skip_lines,
    )
    cells, rows = frame.head(1), frame.slice(1)

    def filled(i: int) -> bool:
        return bool(rows.get_column(rows.columns[i]).str.strip_chars().ne("").any())

    named = _named_columns(f"input {path}", list(cells.row(0)) if cells.height else [], filled)
    return rows.select(pl.col(rows.columns[i]).alias(name) for i, name in named)


def read_export(path: Path, read: ReadOptions) -> Export:
    """The export at `path`: a sheet of an Excel workbook (by its suffix) or a CSV file."""
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            export = _read_sheet(path, read.sheet, read.skip_lines)
        else:
            export = Export(_read_csv(path, read), {})
    except FileNotFoundError:
        raise ImportFailed(f"input {path}: no such file") from None
    except ImportFailed:
        raise
    except Exception as exc:  # polars and calamine raise many kinds; the first line says why
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ImportFailed(f"input {path}: cannot read it ({detail})") from None
    numbered = export.frame.with_row_index("_source_row", offset=read.skip_lines + 2)
    return Export(numbered.with_columns(pl.col("_source_row").cast(pl.Int64)), export.typed)
