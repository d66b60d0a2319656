"""Every table's Excel export: typed cells (amounts, dates, time of day), the same rows as its
CSV, and an `about` sheet naming the page, its filters and the currency."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from dashboards.excel import AMOUNT_FORMAT, DATE_FORMAT, TIMESTAMP_FORMAT, to_xlsx
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import Downloads, open_page


def sheets(data: bytes) -> tuple[list[tuple], dict[str, str]]:
    """The `data` sheet's rows (header first) and the `about` sheet as what -> value."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["data"].iter_rows(values_only=True))
    about = dict(list(book["about"].iter_rows(values_only=True))[1:])
    return rows, about


def test_a_workbook_keeps_types_and_the_time_of_day_and_says_what_it_holds() -> None:
    frame = pd.DataFrame(
        {
            "case_id": ["C1", "C2"],
            "occurred_at": pd.to_datetime(
                ["2026-08-31 06:59:10", "2026-09-01 00:00:00"]
            ).tz_localize("UTC"),
            "due_date": [dt.date(2024, 2, 29), None],
            "open_amount_rc": [Decimal("1234.50"), Decimal("-0.01")],
            "paid_amount": [10.0, None],
            "note": ["x", None],
        }
    )

    data = to_xlsx(frame, [("Page", "Case timeline"), ("Filter case", "C1")])

    rows, about = sheets(data)
    assert rows[0] == tuple(frame.columns)
    assert rows[1] == (
        "C1",
        dt.datetime(2026, 8, 31, 6, 59, 10),
        dt.datetime(2024, 2, 29),
        1234.5,
        10.0,
        "x",
    )
    assert rows[2][:4] == ("C2", dt.datetime(2026, 9, 1), None, -0.01)
    assert rows[2][4:] == (None, None)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["data"]
    assert sheet["B2"].number_format == TIMESTAMP_FORMAT
    assert sheet["C2"].number_format == DATE_FORMAT
    assert sheet["D2"].number_format == sheet["E3"].number_format == AMOUNT_FORMAT
    assert about["Page"] == "Case timeline" and about["Filter case"] == "C1"
    assert about["Rows"] == "2" and about["Made"].endswith("UTC")


def test_a_pages_excel_export_holds_the_rows_of_its_csv_and_names_its_filters(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, downloads: Downloads
) -> None:
    page = open_page(
        "debtors", sample_build.settings.warehouse, monkeypatch, segment="B2B", currency="EUR"
    )
    assert not page.exception
    assert downloads.is_deferred(page, "top_debtors_xlsx")  # made on a click, not on each run

    csv = downloads.csv(page, "top_debtors_csv")
    rows, about = sheets(downloads.data(page, "top_debtors_xlsx"))

    header, *body = rows
    assert list(header) == list(csv.columns)
    assert [row[header.index("debtor_id")] for row in body] == list(csv["debtor_id"])
    amounts = [row[header.index("open_amount_rc")] for row in body]
    assert amounts == pytest.approx([float(value) for value in csv["open_amount_rc"]])
    (owing,) = sample_build.query(
        "select count(*) from marts.fct_debtor_exposure where segment = 'B2B'"
        " and (open_items > 0 or open_amount_month_end_rc <> 0)"
    )[0]
    assert len(body) == owing  # every debtor, not only those shown
    assert about["Page"] == "Top debtors"
    assert about["Filter segment"] == "B2B"
    assert about["Amounts"] == "Amounts in EUR, the reporting currency."
