"""Every page warns when the latest build was not published (a check blocks it: the figures
are the last published build's) or when the published build could not run some checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import open_page

BANNER = "The published build failed"
NOT_PUBLISHED = "The latest build was not published"


def _warnings(page) -> list[str]:
    return [w.value for w in page.warning]


def test_a_clean_build_shows_no_banner(sample_warehouse: Path, monkeypatch) -> None:
    page = open_page("ageing", sample_warehouse, monkeypatch)
    assert not page.exception
    assert not any(BANNER in w for w in _warnings(page))


@pytest.mark.parametrize("name", ["ageing", "stuck", "breaches"])
def test_a_build_with_failed_and_skipped_checks_is_announced_on_every_page(
    name: str, sample_build: SampleBuild, tmp_path: Path, monkeypatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for check, status in (
            ("raw_erp_invoices_suite", "fail"),
            ("unique_combination_of_columns_fct_dso_month__segment", "skipped"),
        ):
            con.execute(
                "insert into quality.check_results values"
                " (?, 'raw/erp_invoices', 'run-later', now()::timestamp + interval 1 day,"
                " ?, true, 0, '[]', '', null)",
                [check, status],
            )
    page = open_page(name, warehouse, monkeypatch)
    assert not page.exception
    [banner] = [w for w in _warnings(page) if BANNER in w]
    assert "failed 1 blocking check(s) and could not run 1" in banner


@pytest.mark.parametrize("name", ["ageing", "health"])
def test_a_build_a_check_blocked_is_announced_and_its_checks_are_on_the_health_page(
    name: str, sample_build: SampleBuild, tmp_path: Path, monkeypatch
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    rejected = warehouse.with_name(warehouse.name + ".rejected")
    shutil.copyfile(warehouse, rejected)
    with duckdb.connect(str(rejected)) as con:
        con.execute(
            "insert into quality.check_results values ('allocations_reference_known_invoices',"
            " 'raw/erp_payment_allocations', 'run-rejected', now()::timestamp + interval 1 day,"
            " 'fail', true, 40, '[\"AL-1 -> INV-404 (f.csv:2)\"]', 'too many orphans', null)"
        )
    page = open_page(name, warehouse, monkeypatch)
    assert not page.exception
    [banner] = [e.value for e in page.error if NOT_PUBLISHED in e.value]
    assert "1 check(s) block it" in banner
    if name == "health":
        assert page.radio(key="build").value == "rejected", "the blocked build is shown first"
        failed = [m.value for m in page.metric if m.label == "Failed"]
        assert failed == ["1"]
