"""Excel export of a table (openpyxl, through pandas): the rows in a sheet `data`, as the CSV
export holds them but typed (numbers as numbers, dates and timestamps as Excel dates with their
time of day, amounts with two decimals), and a sheet `about` saying what they are: the page,
its filters, the currency of the amounts and when the file was made."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from openpyxl.utils import get_column_letter

AMOUNT_FORMAT = "#,##0.00"
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
DATA_SHEET = "data"
ABOUT_SHEET = "about"


def _is_amount(column: object) -> bool:
    return str(column).endswith(("_amount", "_amount_rc"))


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as Excel holds it: a time-zone-aware timestamp in UTC without its zone (Excel
    has none; the `about` sheet says UTC), a Decimal as a float rounded to its cents."""
    cells = frame.copy()
    for column in cells.columns:
        values = cells[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            cells[column] = values.dt.tz_convert("UTC").dt.tz_localize(None)
        elif values.dtype == object and values.map(lambda v: isinstance(v, Decimal)).any():
            cells[column] = values.map(lambda v: float(v) if isinstance(v, Decimal) else v)
    return cells


def to_xlsx(frame: pd.DataFrame, about: Sequence[tuple[str, str]]) -> bytes:
    """The workbook of `frame` (sheet `data`) and `about` (sheet `about`: one row per
    (what, value), then the rows count and the time it was made, UTC)."""
    cells = _cells(frame)
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    described = [*about, ("Rows", f"{len(frame):,}"), ("Made", made)]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        cells.to_excel(writer, sheet_name=DATA_SHEET, index=False)
        pd.DataFrame(described, columns=["what", "value"]).to_excel(
            writer, sheet_name=ABOUT_SHEET, index=False
        )
        sheet = writer.sheets[DATA_SHEET]
        for position, column in enumerate(cells.columns, start=1):
            number_format = _format(column, cells[column])
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(12, min(40, len(str(column)) + 2))
            if number_format is None:
                continue
            for (cell,) in sheet.iter_rows(
                min_row=2, min_col=position, max_col=position, max_row=len(cells) + 1
            ):
                cell.number_format = number_format
        sheet.freeze_panes = "A2"
        writer.sheets[ABOUT_SHEET].column_dimensions["B"].width = 80
    return buffer.getvalue()


def _format(column: object, values: pd.Series) -> str | None:
    if _is_amount(column):
        return AMOUNT_FORMAT
    if pd.api.types.is_datetime64_any_dtype(values):
        has_time = (values.dropna() != values.dropna().dt.normalize()).any()
        return TIMESTAMP_FORMAT if has_time else DATE_FORMAT
    if values.map(lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime)).any():
        return DATE_FORMAT
    return None
