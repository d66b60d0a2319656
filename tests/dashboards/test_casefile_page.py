"""The auditor's case-file page on the sample build: records, verdicts, reconciliation and
logged exports."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from amicable.case_file import list_exports, load_case_file
from dashboards import blocks
from dashboards.access import OPEN_ENV, Viewer
from dashboards.signin import VIEWER_KEY
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import metrics, table

PAGE = Path(__file__).resolve().parents[2] / "dashboards" / "views" / "casefile.py"


@pytest.fixture
def warehouse(sample_build: SampleBuild, tmp_path: Path) -> Path:
    """A copy: exports are logged beside the warehouse."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, copy)
    return copy


def _page(warehouse: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = AppTest.from_file(PAGE, default_timeout=60)
    page.query_params.update(params)
    return page.run()


def _breached_case(sample_build: SampleBuild) -> tuple[str, int]:
    return sample_build.query(
        "select case_id, breaches from marts.dim_cases where breaches > 0 order by case_id limit 1"
    )[0]


def test_a_case_with_a_breach_shows_its_records_and_verdicts(
    warehouse: Path, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, breaches = _breached_case(sample_build)
    page = _page(warehouse, monkeypatch, case=case)
    assert not page.exception
    shown = metrics(page)
    assert shown["Breaches"] == str(breaches)
    assert shown["Figures"] == "reconcile"
    records = table(page, "verdict")
    (expected,) = sample_build.query(
        "select count(*) from marts.fct_case_file where case_id = ?", [case]
    )[0]
    assert len(records) == expected
    assert (records["verdict"] == "breach").sum() >= 1


def test_an_unknown_case_in_the_address_opens_nothing(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(warehouse, monkeypatch, case="NO-SUCH-CASE")
    assert not page.exception
    assert any("Choose a case" in info.value for info in page.info)
    assert not page.metric


def test_an_export_is_logged_with_who_and_its_hash(
    warehouse: Path, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _ = _breached_case(sample_build)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        case_file = load_case_file(con, case)
    build = blocks.case_file_export(case_file, "csv", "ann.auditor")
    assert list_exports(warehouse, case) == []  # nothing logged before the click
    data = build()  # what the download button calls on a click
    (record,) = list_exports(warehouse, case)
    assert record.user == "ann.auditor" and record.format == "csv"
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = AppTest.from_file(PAGE, default_timeout=60)
    page.session_state[VIEWER_KEY] = Viewer("ann.auditor", "Ann", "auditor")
    page.query_params["case"] = case
    page.run()
    exports = table(page, "sha256")
    assert list(exports["user"]) == ["ann.auditor"]


def test_the_debtors_local_time_reads_as_a_date_and_time(
    warehouse: Path, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, _ = _breached_case(sample_build)
    page = _page(warehouse, monkeypatch, case=case)
    records = next(frame for frame in page.dataframe if "local_at" in frame.value.columns)
    assert records.value["local_at"].notna().any()
    shown = json.loads(records.proto.columns)["local_at"]  # Streamlit's column config
    assert shown["type_config"] == {"type": "datetime", "format": "YYYY-MM-DD HH:mm:ss"}
