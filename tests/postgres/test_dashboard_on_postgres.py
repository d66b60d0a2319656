"""The dashboard on a PostgreSQL warehouse (issue 16): every query function gives on the tiny
sample built by dbt-postgres what it gives on the DuckDB build (amounts to the cent, rates to
0.01), with the arguments `benchmarks/scale_queries.py` calls them with; one page of each
group draws the same metrics, tables and charts on both; a warehouse that cannot be read
is one typed line."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.scale_queries import calls, query_functions
from dashboards import queries
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import _decoded, open_page
from tests.postgres.conftest import PostgresServer, free_port
from tests.postgres.warehouse import postgres_warehouse, url

__all__ = ["postgres_warehouse"]  # the fixture, used by name below

TOLERANCE = 0.01  # amounts to the cent, rates and days to 0.01
# Query functions that read a DuckDB warehouse only (their provenance, and the case file's
# export log, are the warehouse file's path): on PostgreSQL they say so in one typed line.
DUCKDB_ONLY = {"case_file": "the case file", "debtor_statement": "the statement of account"}
# One page of each group; none of them is blank on the sample.
PAGES = ("ageing", "agents", "breaches", "health")


def same(duckdb_value: Any, postgres_value: Any, where: str) -> None:
    """Equal results of both engines: frames, records, lists, numbers within TOLERANCE."""
    if isinstance(duckdb_value, pd.DataFrame):
        assert isinstance(postgres_value, pd.DataFrame), where
        assert list(duckdb_value.columns) == list(postgres_value.columns), where
        pd.testing.assert_frame_equal(
            duckdb_value.reset_index(drop=True),
            postgres_value.reset_index(drop=True),
            check_dtype=False,
            check_exact=False,
            rtol=0,
            atol=TOLERANCE,
            obj=where,
        )
    elif dataclasses.is_dataclass(duckdb_value):
        for field in dataclasses.fields(duckdb_value):
            same(
                getattr(duckdb_value, field.name),
                getattr(postgres_value, field.name),
                f"{where}.{field.name}",
            )
    elif isinstance(duckdb_value, list | tuple):
        assert len(duckdb_value) == len(postgres_value), where
        for index, (left, right) in enumerate(zip(duckdb_value, postgres_value, strict=True)):
            same(left, right, f"{where}[{index}]")
    elif isinstance(duckdb_value, dict):
        assert list(duckdb_value) == list(postgres_value), where
        for key, left in duckdb_value.items():
            same(left, postgres_value[key], f"{where}[{key!r}]")
    elif isinstance(duckdb_value, float | Decimal) and not isinstance(duckdb_value, bool):
        left, right = float(duckdb_value), float(postgres_value)
        assert (math.isnan(left) and math.isnan(right)) or abs(left - right) <= TOLERANCE, (
            f"{where}: {duckdb_value} != {postgres_value}"
        )
    else:
        assert duckdb_value == postgres_value, f"{where}: {duckdb_value!r} != {postgres_value!r}"


def test_every_query_gives_the_duckdb_result(
    sample_build: SampleBuild, postgres_warehouse: str
) -> None:
    duckdb_warehouse = sample_build.settings.warehouse
    arguments = calls(duckdb_warehouse)
    compared = []
    for name, function in query_functions().items():
        if name in DUCKDB_ONLY:
            with pytest.raises(queries.WarehouseDuckDBOnly) as raised:
                function(postgres_warehouse, *arguments[name])
            assert raised.value.detail == f"{DUCKDB_ONLY[name]} reads a DuckDB warehouse only"
            continue
        on_duckdb = function(duckdb_warehouse, *arguments[name])
        same(on_duckdb, function(postgres_warehouse, *arguments[name]), name)
        compared.append(name)
    assert len(compared) + len(DUCKDB_ONLY) == len(arguments)
    # not vacuous: the sample's figures are there on PostgreSQL
    assert queries.ageing_kpis(postgres_warehouse, *arguments["ageing_kpis"]).open_items > 0
    assert len(queries.health_runs(postgres_warehouse, 20)) > 0


def shown(page: AppTest) -> dict[str, Any]:
    """What a page draws: metrics, tables, charts' traces, its alerts, and any exception."""
    return {
        "exception": [item.value for item in page.exception],
        "alerts": [item.value for kind in ("error", "warning", "info") for item in page.get(kind)],
        "metrics": {metric.label: metric.value for metric in page.metric},
        "tables": [frame.value for frame in page.dataframe],
        "charts": [
            _decoded(json.loads(chart.proto.spec)["data"]) for chart in page.get("plotly_chart")
        ],
    }


@pytest.mark.parametrize("name", PAGES)
def test_page_draws_what_it_draws_on_duckdb(
    name: str,
    sample_build: SampleBuild,
    postgres_warehouse: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_duckdb = shown(open_page(name, sample_build.settings.warehouse, monkeypatch))
    on_postgres = shown(open_page(name, postgres_warehouse, monkeypatch))  # type: ignore[arg-type]
    assert on_postgres["exception"] == [] and on_duckdb["exception"] == []
    assert on_duckdb["tables"] or on_duckdb["charts"], f"{name}: nothing drawn"
    same(on_duckdb, on_postgres, name)


def test_faults_are_one_typed_line(postgres_server: PostgresServer) -> None:
    down = f"postgresql://amicable:amicable@localhost:{free_port()}/amicable"
    with pytest.raises(queries.WarehouseUnreachable) as raised:
        queries.snapshot_dates(down)
    assert "\n" not in raised.value.detail and "amicable:amicable@" not in str(raised.value)

    wrong = url(postgres_server, "amicable", password="wrong")
    if os.geteuid() == 0:  # Debian's cluster checks passwords (the other trusts local logins)
        with pytest.raises(queries.WarehouseUnreachable) as raised:
            queries.snapshot_dates(wrong)
        assert "password" in raised.value.detail and "wrong" not in str(raised.value.warehouse)

    empty = "amicable_empty"
    postgres_server.fresh_database(empty)
    with pytest.raises(queries.WarehouseNotBuilt) as raised:
        queries.snapshot_dates(url(postgres_server, empty))
    assert raised.value.detail.startswith("ageing_snapshot_dates: relation")
