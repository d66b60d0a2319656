"""Configurable ageing buckets, end to end: `ageing.bucket_edges` in the configuration file
reaches the ageing marts, their checks, and the ageing pages; changing it re-buckets the whole
history on the next build (a settings change forces a full refresh, so the incremental ageing
keeps no snapshot under the old labels)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from amicable.cli import main
from amicable.settings import DEFAULT_CONFIG
from sample_data import generate
from tests.dashboards.apptest_support import open_page, traces
from tests.finance.reference import BUCKETS

AS_OF = date(2026, 11, 20)
EDGES = [7, 30, 365]
LABELS = ["current", "1-7", "8-30", "31-365", "365+"]


def _label(days_past_due: int) -> str:
    """The bucket of EDGES, written out by hand from the rule in config/amicable.yml."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 7:
        return "1-7"
    if days_past_due <= 30:
        return "8-30"
    if days_past_due <= 365:
        return "31-365"
    return "365+"


def _build(landing: Path, warehouse: Path, config: Path) -> int:
    args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    return main([*args, "--as-of", AS_OF.isoformat(), "--config", str(config)])


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def reconfigured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny sample built with bucket edges [7, 30, 365]: (landing, warehouse, config dir)."""
    root = tmp_path_factory.mktemp("ageing_buckets")
    landing, warehouse, config_dir = root / "landing", root / "warehouse.duckdb", root / "config"
    generate(landing, size="tiny", seed=5, as_of=AS_OF)
    shutil.copytree(DEFAULT_CONFIG.parent, config_dir)
    config = yaml.safe_load((config_dir / DEFAULT_CONFIG.name).read_text())
    config["ageing"] = {"bucket_edges": EDGES}
    (config_dir / DEFAULT_CONFIG.name).write_text(yaml.safe_dump(config))
    assert _build(landing, warehouse, config_dir / DEFAULT_CONFIG.name) == 0
    return landing, warehouse, config_dir


def test_the_marts_bucket_every_open_item_by_the_configured_edges(
    reconfigured: tuple[Path, Path, Path],
) -> None:
    _, warehouse, _ = reconfigured
    buckets = _rows(warehouse, "select ageing_bucket from marts.dim_ageing_buckets order by 1")
    assert sorted(label for (label,) in buckets) == sorted(LABELS)
    items = _rows(warehouse, "select days_past_due, ageing_bucket from marts.fct_ar_ageing")
    assert len(items) > 100
    assert [label for days, label in items] == [_label(days) for days, _ in items]
    assert {label for _, label in items} == set(LABELS), "the sample fills every bucket"
    bucket_checks = _rows(
        warehouse,
        "select check_name, status from quality.check_results "
        "where check_name like 'relationships%dim_ageing_buckets%'",
    )
    assert len(bucket_checks) >= 4  # ageing, by issue date, movements' opening and closing
    assert {status for _, status in bucket_checks} == {"pass"}


def test_the_ageing_pages_list_and_chart_the_configured_buckets(
    reconfigured: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, warehouse, _ = reconfigured
    ageing = open_page("ageing", warehouse, monkeypatch)
    assert not ageing.exception
    assert list(ageing.selectbox(key="bucket").options) == LABELS
    assert list(traces(ageing, "ageing_chart")[0]["x"]) == LABELS
    by_bucket = ageing.dataframe[0].value
    assert list(by_bucket["ageing_bucket"]) == LABELS

    ageing.selectbox(key="bucket").set_value("31-365").run()
    assert not ageing.exception
    listed = ageing.dataframe[1].value
    assert len(listed) > 0
    assert all(31 <= days <= 365 for days in listed["days_past_due"])

    waterfall = open_page("waterfall", warehouse, monkeypatch)
    assert not waterfall.exception
    assert [trace["name"] for trace in traces(waterfall, "bucket_mix_chart")] == LABELS


def test_going_back_to_the_default_edges_rebuckets_the_whole_history(
    reconfigured: tuple[Path, Path, Path],
) -> None:
    landing, warehouse, config_dir = reconfigured
    config = yaml.safe_load((config_dir / DEFAULT_CONFIG.name).read_text())
    del config["ageing"]
    (config_dir / DEFAULT_CONFIG.name).write_text(yaml.safe_dump(config))

    assert _build(landing, warehouse, config_dir / DEFAULT_CONFIG.name) == 0

    assert _rows(warehouse, "select full_refresh_reason from marts.dim_build") == [
        ("the models or the settings changed since the last build",)
    ]
    labels = _rows(warehouse, "select distinct ageing_bucket from marts.fct_ar_ageing")
    assert {label for (label,) in labels} == set(BUCKETS)
