"""The DSO page's drill-down on the generated sample: a month (a point, a bar or a row) lists
the open items behind its ending AR, an invoice its debtor's cases, a case its timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import has_table, open_page, select_points, table

SelectRow = Callable[[AppTest, str, int | None], AppTest]
ITEMS_KEY = "dso_open_items"


def _month(sample_build: SampleBuild, segment: str = "all", newest: int = 1) -> tuple:
    """(month, period end, ending AR) of the `newest`-th newest month of `segment`."""
    return sample_build.query(
        "select month, period_end_date, ending_ar_rc from marts.fct_dso_periods"
        " where segment = ? and period_months = 1 order by month desc limit 1 offset ?",
        [segment, newest - 1],
    )[0]


def _open_items(sample_build: SampleBuild, end: dt.date, segment: str = "all") -> list[str]:
    rows = sample_build.query(
        "select invoice_id from marts.fct_ar_ageing where snapshot_date = ?"
        " and (? = 'all' or segment = ?) order by 1",
        [end, segment, segment],
    )
    return [invoice for (invoice,) in rows]


def _items_total(items: pd.DataFrame) -> Decimal:
    return sum((Decimal(str(v)) for v in items["open_amount_rc"]), Decimal(0)).quantize(
        Decimal("0.01")
    )


def test_no_open_item_is_listed_before_a_month_is_chosen(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("dso", sample_warehouse, monkeypatch)
    assert not page.exception
    assert page.selectbox(key="month").value is None
    assert not has_table(page, "invoice_number")


@pytest.mark.parametrize("segment", ["all", "B2C"])
def test_a_month_lists_the_open_items_that_make_its_ending_ar(
    segment: str,
    sample_build: SampleBuild,
    sample_warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    month, end, ending_ar = _month(sample_build, segment, newest=2)
    page = open_page(
        "dso", sample_warehouse, monkeypatch, segment=segment, month=month.strftime("%Y-%m")
    )
    assert not page.exception
    items = table(page, "invoice_number")
    assert sorted(items["invoice_id"]) == _open_items(sample_build, end, segment)
    assert set(items["segment"]) == ({"B2B", "B2C"} if segment == "all" else {segment})
    assert _items_total(items) == ending_ar
    assert any(f"{end.isoformat()}" in header.value for header in page.subheader)


@pytest.mark.parametrize("chart", ["dso_trend", "cei"])
def test_clicking_a_month_on_either_chart_chooses_it(
    chart: str, sample_build: SampleBuild, sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    month, end, _ = _month(sample_build, newest=3)
    page = open_page("dso", sample_warehouse, monkeypatch)
    point = {"x": month.isoformat(), "customdata": [month.isoformat()], "point_index": 0}
    select_points(page, chart, [point])
    assert not page.exception
    assert page.selectbox(key="month").value == month
    assert page.query_params["month"] == month.strftime("%Y-%m")
    assert sorted(table(page, "invoice_number")["invoice_id"]) == _open_items(sample_build, end)


def test_clicking_a_row_of_the_figures_chooses_its_month(
    sample_build: SampleBuild,
    sample_warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
    select_row: SelectRow,
) -> None:
    month, end, _ = _month(sample_build, newest=1)
    page = open_page("dso", sample_warehouse, monkeypatch)
    select_row(page, "dso_table", 0)  # newest first
    assert page.selectbox(key="month").value == month
    assert sorted(table(page, "invoice_number")["invoice_id"]) == _open_items(sample_build, end)
    select_row(page, "dso_table", None)
    assert page.selectbox(key="month").value is None
    assert not has_table(page, "invoice_number")


def test_an_invoice_opens_its_debtors_cases_and_a_case_its_timeline(
    sample_build: SampleBuild,
    sample_warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
    select_row: SelectRow,
) -> None:
    month, end, _ = _month(sample_build, newest=1)
    page = open_page("dso", sample_warehouse, monkeypatch, month=month.strftime("%Y-%m"))
    items = table(page, "invoice_number").reset_index(drop=True)
    with_cases = {
        debtor for (debtor,) in sample_build.query("select distinct debtor_id from marts.dim_cases")
    }
    row = int(items.index[items["debtor_id"].isin(with_cases)][0])
    debtor = items.loc[row, "debtor_id"]

    select_row(page, ITEMS_KEY, row)

    assert not page.exception
    assert page.selectbox(key="debtor").value == debtor
    cases = table(page, "owner_agent_id")
    expected = sample_build.query(
        "select case_id from marts.dim_cases where debtor_id = ? order by 1", [debtor]
    )
    assert sorted(cases["case_id"]) == [case for (case,) in expected]
    case = cases.iloc[0]["case_id"]

    select_row(page, "debtor_cases", 0)

    assert page.selectbox(key="case").value == case
    (records,) = sample_build.query(
        "select count(*) from marts.fct_case_timeline where case_id = ?", [case]
    )[0]
    timeline = table(page, "record_kind")
    assert len(timeline) == records > 0 and set(timeline["case_id"]) == {case}
