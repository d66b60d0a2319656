"""The DSO page on a hand-made `marts.fct_dso_periods`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import charts, queries

REPO = Path(__file__).resolve().parents[2]
DSO_PAGE = REPO / "dashboards" / "views" / "dso.py"

# month, segment, period, partial, sales, ending AR, current AR, DSO, countback, best, ADD, CEI
ROWS = [
    ("2026-09-01", "all", 1, False, 1000, 1500, 500, 45.00, 40.00, 15.00, 30.00, 80.00),
    ("2026-10-01", "all", 1, False, 0, 1400, 0, None, 44.50, None, None, 60.00),
    ("2026-11-01", "all", 1, True, 2000, 2100, 900, 21.00, 25.00, 9.00, 12.00, 70.50),
    ("2026-11-01", "B2B", 1, True, 1500, 1800, 800, 24.00, 26.00, 10.67, 13.33, 65.00),
    ("2026-11-01", "all", 3, True, 3000, 2100, 900, 57.40, 25.00, 24.60, 32.80, 55.00),
]


@pytest.fixture
def dso_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_dso_periods (
                month date, segment varchar, period_months integer, period_end_date date,
                is_partial_period boolean, credit_sales_rc decimal(18, 2),
                beginning_ar_rc decimal(18, 2), ending_ar_rc decimal(18, 2),
                current_ar_rc decimal(18, 2), standard_dso_days decimal(18, 2),
                countback_dso_days decimal(18, 2), best_possible_dso_days decimal(18, 2),
                add_days decimal(18, 2), cei_pct decimal(18, 2), cei_form varchar,
                dso_null_reason varchar)"""
        )
        for m, seg, period, partial, sales, ending, current, *figures in ROWS:
            month = dt.date.fromisoformat(m)
            end = dt.date(2026, 11, 20) if partial else (month.replace(day=28) + dt.timedelta(4))
            form = "monthly" if period == 1 else "crf_credit_sales_divided_by_n"
            reason = "no_credit_sales" if sales == 0 else None
            con.execute(
                "insert into marts.fct_dso_periods"
                " values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [month, seg, period, end, partial, sales, ending, current, *figures, form, reason],
            )
    return path


@pytest.fixture
def page(dso_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(dso_warehouse))
    return AppTest.from_file(DSO_PAGE, default_timeout=30)


def metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def test_the_headline_is_the_last_complete_month_with_the_partial_one_beside_it(
    page: AppTest,
) -> None:
    page.run()
    assert not page.exception
    assert metrics(page) == {
        "Standard DSO": "n/a",
        "Countback DSO": "44.5 d",
        "Best possible DSO": "n/a",
        "ADD": "n/a",
        "CEI": "60.0 %",
    }  # 2026-10, not the partial 2026-11
    beside = {metric.label: metric.proto.delta for metric in page.metric}
    assert beside["Standard DSO"] == "21.0 d" and beside["CEI"] == "70.5 %"
    assert {metric.proto.delta_description for metric in page.metric} == {"partial"}
    assert any(
        "Headline: **2026-10**" in caption.value and "2026-11 to date (partial)" in caption.value
        for caption in page.caption
    )


def test_with_no_complete_month_the_partial_one_is_the_headline_labelled_partial(
    page: AppTest,
) -> None:
    page.query_params["segment"] = "B2B"
    page.run()
    assert metrics(page)["Standard DSO"] == "24.0 d"
    assert any("2026-11 to date (partial)" in caption.value for caption in page.caption)
    assert not any(metric.proto.delta for metric in page.metric)


def test_segment_and_period_filters_change_the_figures(page: AppTest) -> None:
    page.run()
    page.radio(key="segment").set_value("B2B").run()
    assert metrics(page)["Standard DSO"] == "24.0 d"
    page.radio(key="segment").set_value("all").run()
    page.radio(key="period").set_value("3 months").run()
    assert not page.exception
    assert metrics(page)["Standard DSO"] == "57.4 d"
    assert any("Credit Research Foundation" in caption.value for caption in page.caption)


def test_an_undefined_month_stays_empty_in_the_chart_not_zero(dso_warehouse: Path) -> None:
    months = queries.dso_months(dso_warehouse, "all", 1)
    figure = charts.dso_trend_chart(months)
    standard = next(trace for trace in figure.data if trace.name == "Standard DSO")
    assert list(standard.y) == [45.0, None, 21.0]
    assert months["dso_null_reason"].tolist()[1] == "no_credit_sales"


def test_the_table_lists_every_month_newest_first(page: AppTest) -> None:
    page.run()
    table = page.dataframe[0].value
    assert [str(m)[:7] for m in table["month"]] == ["2026-11", "2026-10", "2026-09"]


def test_a_shared_address_opens_the_same_view(
    dso_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(dso_warehouse))
    page = AppTest.from_file(DSO_PAGE, default_timeout=30)
    page.query_params.update({"segment": "all", "period": "3 months"})
    page.run()
    assert not page.exception
    assert metrics(page)["Standard DSO"] == "57.4 d"


def test_a_warehouse_without_the_mart_explains_how_to_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(empty))
    page = AppTest.from_file(DSO_PAGE, default_timeout=30).run()
    assert not page.exception
    assert "amicable build" in page.info[0].value


def test_an_unknown_period_is_refused_before_any_sql(dso_warehouse: Path) -> None:
    with pytest.raises(ValueError, match="period_months must be one of 1, 3"):
        queries.dso_months(dso_warehouse, "all", 6)
