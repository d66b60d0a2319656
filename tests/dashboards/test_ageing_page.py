from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.apptest_support import select_points, traces

REPO = Path(__file__).resolve().parents[2]
AGEING_PAGE = REPO / "dashboards" / "views" / "ageing.py"
APP = REPO / "dashboards" / "app.py"
TIMEOUT = 30


@pytest.fixture
def page(ageing_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(ageing_warehouse))
    return AppTest.from_file(AGEING_PAGE, default_timeout=TIMEOUT)


def test_page_shows_the_hand_computed_kpis_at_the_latest_snapshot(page: AppTest) -> None:
    page.run()

    assert not page.exception
    assert _metrics(page) == {
        "Total open (EUR)": "4,065.75",
        "Overdue share": "72.6 %",
        "Open items": "7",
    }
    assert page.selectbox(key="snapshot").value.isoformat() == "2026-11-20"
    assert any("by due date" in caption.value for caption in page.caption)


def test_changing_the_segment_changes_the_figure_and_kpis(page: AppTest) -> None:
    page.run()
    every_segment = _bar_heights(page)

    page.radio(key="segment").set_value("B2B").run()

    assert not page.exception
    assert every_segment == pytest.approx([1115.0, 570.5, 2000.0, 0.0, 300.0, 80.25])
    assert _bar_heights(page) == pytest.approx([1000.0, 450.0, 2000.0, 0.0, 300.0, 0.0])
    assert _metrics(page)["Total open (EUR)"] == "3,750.00"


def test_bucket_table_reconciles_with_the_total(page: AppTest) -> None:
    page.run()

    by_bucket = page.dataframe[0].value
    assert list(by_bucket["ageing_bucket"]) == [
        "current",
        "1-30",
        "31-60",
        "61-90",
        "91-120",
        "120+",
    ]
    assert by_bucket["open_amount_rc"].sum() == pytest.approx(4065.75)


def test_choosing_a_bucket_lists_exactly_its_invoices(page: AppTest) -> None:
    page.run()
    assert len(page.dataframe) == 1  # no drill table before a bucket is chosen

    page.selectbox(key="bucket").select("1-30").run()

    assert not page.exception
    assert _drill_invoices(page) == ["INV-2", "INV-4"]
    assert page.download_button[0].label == "Download CSV"

    page.radio(key="segment").set_value("B2C").run()

    assert _drill_invoices(page) == ["INV-4"]


def test_empty_bucket_lists_no_invoice(page: AppTest) -> None:
    page.query_params["bucket"] = "61-90"

    page.run()

    assert not page.exception
    assert "0 open items" in page.caption[-1].value
    assert len(page.dataframe) == 1  # the bucket table only, no drill table
    assert [button.key for button in page.download_button] == [
        "ageing_buckets_csv",
        "ageing_buckets_xlsx",
    ]


def test_clicking_a_bar_chooses_that_bucket(page: AppTest) -> None:
    page.run()

    _click_bar(page, "31-60")

    assert not page.exception
    assert page.selectbox(key="bucket").value == "31-60"
    assert _drill_invoices(page) == ["INV-3"]


def test_a_shared_url_opens_the_same_view(page: AppTest) -> None:
    page.query_params.update({"snapshot": "2026-10-31", "segment": "B2C", "bucket": "1-30"})

    page.run()

    assert not page.exception
    assert page.selectbox(key="snapshot").value.isoformat() == "2026-10-31"
    assert _metrics(page)["Total open (EUR)"] == "140.25"
    assert _drill_invoices(page) == ["INV-8"]


def test_absent_warehouse_is_explained_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(tmp_path / "absent.duckdb"))

    page = AppTest.from_file(AGEING_PAGE, default_timeout=TIMEOUT).run()

    assert not page.exception
    assert [info.value for info in page.info] == ["No warehouse yet: run `amicable build`."]
    assert len(page.metric) == 0


def test_unset_warehouse_variable_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMICABLE_WAREHOUSE", raising=False)

    page = AppTest.from_file(AGEING_PAGE, default_timeout=TIMEOUT).run()

    assert not page.exception
    assert "No warehouse yet" in page.info[0].value
    assert "AMICABLE_WAREHOUSE is not set" in page.caption[-1].value


def test_warehouse_being_built_asks_to_retry(page: AppTest, ageing_warehouse: Path) -> None:
    writer = duckdb.connect(str(ageing_warehouse))  # a build holding the file
    try:
        page.run()
    finally:
        writer.close()

    assert not page.exception
    assert page.warning[0].value == "The warehouse is being built right now; retry in a moment."
    assert page.button(key="warehouse_retry").label == "Retry"

    page.button(key="warehouse_retry").click().run()

    assert _metrics(page)["Open items"] == "7"


def test_app_entry_point_opens_the_ageing_page(
    ageing_warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(ageing_warehouse))

    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()

    assert not app.exception
    assert app.title[0].value == "Ledger ageing"
    assert _metrics(app)["Total open (EUR)"] == "4,065.75"


def _metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def _drill_invoices(page: AppTest) -> list[str]:
    tables = [frame.value for frame in page.dataframe]
    drill = [table for table in tables if "invoice_number" in table.columns]
    assert len(drill) == 1
    return list(drill[0]["invoice_number"])


def _bar_heights(page: AppTest) -> list[float]:
    return [float(height) for height in traces(page, "ageing_chart")[0]["y"]]


def _click_bar(page: AppTest, bucket: str) -> None:
    """Send a bar click the way the browser does (AppTest has no Plotly interaction yet)."""
    index = ["current", "1-30", "31-60", "61-90", "91-120", "120+"].index(bucket)
    select_points(page, "ageing_chart", [{"x": bucket, "point_index": index, "curve_number": 0}])
