"""The data health page on the sample build: checks, quarantine and runs equal the
warehouse's own records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access import MASK, OPEN_ENV, Viewer
from dashboards.signin import VIEWER_KEY
from ingestion.load import LOADS_DDL, QUARANTINE_DDL
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import metrics, table

HEALTH_PAGE = Path(__file__).resolve().parents[2] / "dashboards" / "views" / "health.py"
TIMEOUT = 60


@pytest.fixture
def page(sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    return AppTest.from_file(HEALTH_PAGE, default_timeout=TIMEOUT)


def _latest_run(sample_build: SampleBuild) -> str:
    return sample_build.query(
        "select run_id from quality.check_results order by evaluated_at desc limit 1"
    )[0][0]


def test_the_latest_runs_checks_are_counted_by_status(
    page: AppTest, sample_build: SampleBuild
) -> None:
    page.run()
    assert not page.exception
    counts = dict(
        sample_build.query(
            "select status, count(*) from quality.check_results where run_id = ? group by 1",
            [_latest_run(sample_build)],
        )
    )
    assert metrics(page) == {
        "Failed": str(counts.get("fail", 0)),
        "Warnings": str(counts.get("warn", 0)),
        "Not run": str(counts.get("skipped", 0)),
        "Passed": f"{counts.get('pass', 0):,}",
    }
    assert page.selectbox(key="run").value == _latest_run(sample_build)


def test_the_status_filter_narrows_the_checks(page: AppTest, sample_build: SampleBuild) -> None:
    page.run()
    assert (
        len(table(page, "check_name"))
        == sample_build.query(
            "select count(*) from quality.check_results where run_id = ?",
            [_latest_run(sample_build)],
        )[0][0]
    )
    page.selectbox(key="status").set_value("pass").run()
    checks = table(page, "check_name")
    assert set(checks["status"]) == {"pass"}
    assert (
        len(checks)
        == sample_build.query(
            "select count(*) from quality.check_results where run_id = ? and status = 'pass'",
            [_latest_run(sample_build)],
        )[0][0]
    )


def test_quarantine_lists_every_rejected_row_and_narrows_by_source(
    page: AppTest, sample_build: SampleBuild
) -> None:
    page.run()
    summary = table(page, "last_loaded_at")
    (total,) = sample_build.query("select count(*) from raw.quarantine")[0]
    assert total > 0 and int(summary["rows_quarantined"].sum()) == total
    page.selectbox(key="source").set_value("erp_invoices").run()
    rows = table(page, "rejected_record")
    planted = [
        d
        for d in sample_build.labels("defects")
        if d["table"] == "erp_invoices" and d["expect"] in ("quarantine", "reject_file")
    ]
    assert set(rows["source_table"]) == {"erp_invoices"}
    assert len(rows) == len(planted) > 0


def test_a_shared_address_opens_the_source(page: AppTest) -> None:
    page.query_params.update({"source": "fx_rates", "status": "pass"})
    page.run()
    rows = table(page, "rejected_record")
    assert set(rows["source_table"]) == {"fx_rates"}


def test_finance_sees_rejected_rows_masked(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    page = AppTest.from_file(HEALTH_PAGE, default_timeout=TIMEOUT)
    page.session_state[VIEWER_KEY] = Viewer("f", "F", "finance")
    page.run()
    rows = table(page, "rejected_record")
    assert set(rows["rejected_record"].dropna()) == {MASK}
    codes = rows["field"].isin(["currency", "segment", "country", "amount"])
    assert codes.any() and MASK not in set(rows.loc[codes, "rejected_value"].dropna())


def test_a_warehouse_without_runs_says_how_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw; create schema quality")
        con.execute(LOADS_DDL)
        con.execute(QUARANTINE_DDL)
        con.execute(
            "create table quality.check_results (check_name varchar, asset varchar,"
            " run_id varchar, evaluated_at timestamp, status varchar, blocking boolean,"
            " failing_count bigint, failing_keys varchar, description varchar, details varchar)"
        )
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = AppTest.from_file(HEALTH_PAGE, default_timeout=TIMEOUT).run()
    assert not page.exception
    assert any("amicable build" in info.value for info in page.info)


def test_freshness_lists_every_source_of_the_run(page: AppTest, sample_build: SampleBuild) -> None:
    page.run()
    freshness = table(page, "cadence_hours")
    expected = sample_build.query(
        "select source_table, status from quality.source_freshness where run_id = ?",
        [_latest_run(sample_build)],
    )
    assert sorted(zip(freshness["source_table"], freshness["status"], strict=True)) == sorted(
        expected
    )
    assert len(expected) == 10


def test_a_stale_source_is_named_in_a_warning(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update quality.source_freshness set status = 'stale' where source_table = 'fx_rates'"
        )
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(copy))
    page = AppTest.from_file(HEALTH_PAGE, default_timeout=TIMEOUT).run()
    assert any("stale source(s): fx_rates" in w.value for w in page.warning)


def test_the_runs_table_reads_in_words(page: AppTest) -> None:
    page.run()
    runs = next(d for d in page.dataframe if "checks_failed" in d.value.columns)
    columns = json.loads(runs.proto.columns)
    # `_index` is Streamlit's own entry (the hidden index), not a column of the table.
    labels = {name: config.get("label") for name, config in columns.items() if name != "_index"}
    assert labels["run_id"] == "Run ID"
    bad = {name: label for name, label in labels.items() if not label or "_" in label}
    assert not bad
