"""Every table of every page exports to CSV, and a table that shows only some rows exports
every one (read when the button is clicked, with the viewer's scope and mask)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from amicable.case_file import export_case_file, load_case_file
from dashboards.access import MASK, OPEN_ENV, Viewer
from dashboards.signin import VIEWER_KEY
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import (
    Downloads,
    open_every_drill,
    page_app,
    table,
    tables_without_csv,
)

PAGES = [
    "ageing",
    "dso",
    "waterfall",
    "recovery",
    "cash",
    "debtors",
    "claims",
    "rolls",
    "stuck",
    "queue",
    "flow",
    "agents",
    "promises",
    "channels",
    "breaches",
    "casefile",
    "health",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_table_of_every_page_has_its_csv_download(
    name: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample follows every broken promise up: the promises page needs a warehouse without.
    fixture = "unfollowed_warehouse" if name == "promises" else "sample_warehouse"
    page = open_every_drill(name, request.getfixturevalue(fixture), monkeypatch)
    assert not page.exception
    assert len(page.dataframe) >= 2, "the page and its drill-downs show tables"
    assert tables_without_csv(page) == []


def test_the_case_files_breaches_reconciliation_and_export_log_export_to_csv(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    (case,) = sample_build.query("select min(case_id) from marts.dim_cases where breaches > 0")[0]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        export_case_file(load_case_file(con, case), "csv", "ann.auditor")
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = page_app("casefile")
    page.query_params["case"] = case
    page.run()
    assert not page.exception
    keys = {button.key for button in page.download_button}
    assert {"case_breaches_csv", "reconciliation_csv", "exports_csv"} <= keys
    assert table(page, "sha256")["user"].tolist() == ["ann.auditor"]
    assert tables_without_csv(page) == []


@pytest.fixture
def crowded_quarantine(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> int:
    """A copy of the sample whose quarantine holds more rows than the page shows (500)."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        while con.execute("select count(*) from raw.quarantine").fetchone()[0] <= 600:
            con.execute("insert into raw.quarantine select * from raw.quarantine")
        (rows,) = con.execute("select count(*) from raw.quarantine").fetchone()
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    return rows


def test_the_quarantine_csv_holds_every_rejected_row_not_only_those_shown(
    crowded_quarantine: int, downloads: Downloads
) -> None:
    page = page_app("health").run()
    assert not page.exception
    assert len(table(page, "rejected_record")) == 500
    assert downloads.is_deferred(page, "quarantine_rows_csv")
    exported = downloads.csv(page, "quarantine_rows_csv")
    assert len(exported) == crowded_quarantine > 500
    assert "rejected_record" in exported.columns


def test_the_deferred_csv_keeps_the_viewers_mask_outside_the_page_run(
    crowded_quarantine: int, downloads: Downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(OPEN_ENV)
    page = page_app("health")
    page.session_state[VIEWER_KEY] = Viewer("f", "F", "finance")
    page.run()
    exported = downloads.csv(page, "quarantine_rows_csv")  # called after the run, as on a click
    assert len(exported) == crowded_quarantine
    assert set(exported["rejected_record"]) - {""} == {MASK}


def test_the_ageing_items_csv_holds_every_item_of_the_bucket_masked_for_finance(
    sample_build: SampleBuild, downloads: Downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    monkeypatch.delenv(OPEN_ENV)
    expected = sample_build.query(
        "select invoice_number from marts.fct_ar_ageing"
        " where is_latest_snapshot and ageing_bucket = 'current' order by invoice_number"
    )
    assert expected
    page = page_app("ageing")
    page.session_state[VIEWER_KEY] = Viewer("f", "F", "finance")
    page.query_params["bucket"] = "current"
    page.run()
    assert downloads.is_deferred(page, "ageing_items_csv")
    exported = downloads.csv(page, "ageing_items_csv")
    assert sorted(exported["invoice_number"]) == [number for (number,) in expected]
    consumers = exported["segment"] == "B2C"
    assert set(exported.loc[consumers, "debtor_name"]) == {MASK}
    assert MASK not in set(exported.loc[~consumers, "debtor_name"])  # company names stay
    buckets = downloads.csv(page, "ageing_buckets_csv")
    assert list(buckets["ageing_bucket"]) == ["current", "1-30", "31-60", "61-90", "91-120", "120+"]
