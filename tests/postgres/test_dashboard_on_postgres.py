"""The dashboard on a PostgreSQL warehouse (issue 16): every query function gives on the tiny
sample built by dbt-postgres what it gives on the DuckDB build (amounts to the cent, rates to
0.01), with the arguments `benchmarks/scale_queries.py` calls them with; one page of each
group draws the same metrics, tables and charts on both; a warehouse that cannot be read
is one typed line."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg2
import pytest
from streamlit.testing.v1 import AppTest

from amicable.case_file import list_exports
from amicable.cli import main
from amicable.warehouse_ref import warehouse_ref
from benchmarks.scale_queries import calls, query_functions
from dashboards import blocks, queries
from tests.conftest import SampleBuild, copy_build
from tests.dashboards.apptest_support import _decoded, open_page
from tests.postgres.conftest import NAME, PostgresServer, free_port
from tests.postgres.warehouse import postgres_warehouse, url

__all__ = ["postgres_warehouse"]  # the fixture, used by name below

TOLERANCE = 0.01  # amounts to the cent, rates and days to 0.01
# Where a case file or a statement came from: the warehouse, its build's run and the moment it
# was made differ by engine; the build's as-of date does not.
PROVENANCE_SAME = ("as_of", "build_as_of")
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
            if where.endswith(".provenance") and field.name not in PROVENANCE_SAME:
                continue
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
        on_duckdb = function(duckdb_warehouse, *arguments[name])
        same(on_duckdb, function(postgres_warehouse, *arguments[name]), name)
        compared.append(name)
    assert len(compared) == len(arguments)
    # not vacuous: the sample's figures are there on PostgreSQL
    assert queries.ageing_kpis(postgres_warehouse, *arguments["ageing_kpis"]).open_items > 0
    case_file = queries.case_file(postgres_warehouse, *arguments["case_file"])
    assert len(case_file.records) > 0 and case_file.reconciliation.ok
    assert str(case_file.provenance.warehouse) == str(warehouse_ref(postgres_warehouse))
    statement = queries.debtor_statement(postgres_warehouse, *arguments["debtor_statement"])
    assert len(statement.items) > 0
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


def _breached_case(sample_build: SampleBuild) -> str:
    (case,) = sample_build.query(
        "select case_id from marts.dim_cases where breaches > 0 order by case_id limit 1"
    )[0]
    return case


def test_the_case_file_page_shows_what_it_shows_on_duckdb(
    sample_build: SampleBuild, postgres_warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _breached_case(sample_build)
    duckdb_build = sample_build.settings.warehouse  # the page only reads: no export is clicked
    on_duckdb = shown(open_page("casefile", duckdb_build, monkeypatch, case=case))
    on_postgres = shown(open_page("casefile", postgres_warehouse, monkeypatch, case=case))  # type: ignore[arg-type]
    assert on_postgres["exception"] == [] and on_duckdb["exception"] == []
    assert on_postgres["metrics"]["Figures"] == "reconcile"
    assert len(on_postgres["tables"]) >= 3, "records, breaches, reconciliation"
    same(on_duckdb, on_postgres, "casefile")


def test_case_file_exports_are_logged_in_the_warehouses_database(
    sample_build: SampleBuild, postgres_warehouse: str
) -> None:
    """On PostgreSQL the export log is `audit.case_file_exports` there, shared by every
    reader of the warehouse; a second export appends to it."""
    case = _breached_case(sample_build)
    warehouse = warehouse_ref(postgres_warehouse)
    case_file = queries.case_file(postgres_warehouse, case)
    _drop_export_log(postgres_warehouse)
    assert list_exports(warehouse, case) == []  # no table yet: nothing exported
    try:
        data = blocks.case_file_export(case_file, "csv", "ann.auditor")()  # a click
        blocks.case_file_export(case_file, "pdf", "bob.auditor")()
        csv, pdf = list_exports(warehouse, case)
    finally:  # the other tests see the warehouse as built
        _drop_export_log(postgres_warehouse)
    assert (csv.user, csv.format, csv.case_id) == ("ann.auditor", "csv", case)
    assert csv.sha256 == hashlib.sha256(data).hexdigest() and csv.bytes == len(data)
    assert csv.warehouse == str(warehouse) and "amicable:***@" in csv.warehouse
    assert pdf.user == "bob.auditor" and list_exports(warehouse, "NO-SUCH-CASE") == []


def test_statements_and_case_file_commands_read_a_postgresql_warehouse(
    sample_build: SampleBuild,
    postgres_warehouse: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    """`amicable statements` and `amicable case-file` with `--warehouse URL` write what they
    write from the DuckDB build."""
    case = _breached_case(sample_build)
    debtor = calls(sample_build.settings.warehouse)["debtor_statement"][0]
    duckdb_copy = copy_build(sample_build, tmp_path)  # the export log goes beside it
    request.addfinalizer(lambda: _drop_export_log(postgres_warehouse))
    for name, warehouse in (
        ("duckdb", str(duckdb_copy)),
        ("pg", postgres_warehouse),
    ):
        out = tmp_path / name
        argv = ["statements", "--debtor", debtor, "--warehouse", warehouse, "--out", str(out)]
        assert main(argv) == 0, capsys.readouterr().err
        argv = ["case-file", "--case", case, "--format", "csv", "--warehouse", warehouse]
        assert main([*argv, "--out", str(out / "case.csv")]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "logged in audit.case_file_exports of postgresql://amicable:***@" in printed
    written = sorted(p.name for p in (tmp_path / "duckdb").glob("*.csv"))
    assert written == sorted(p.name for p in (tmp_path / "pg").glob("*.csv"))
    assert len(written) == 2  # the statement's CSV and the case file's
    for name in written:  # every line the same but where each came from
        on_duckdb, on_postgres = (_lines(tmp_path / engine / name) for engine in ("duckdb", "pg"))
        assert on_postgres == on_duckdb and len(on_duckdb) > 20, name


def _drop_export_log(warehouse: str) -> None:
    """The warehouse without its case-file export log, as built (the other tests see it so)."""
    with contextlib.closing(psycopg2.connect(warehouse)) as con, con, con.cursor() as cur:
        cur.execute("drop schema if exists audit cascade")


def _lines(csv: Path) -> list[str]:
    """The CSV's lines, its provenance (warehouse, build run, build and export times) left out."""
    provenance = ("warehouse,", "build_run_id,", "built_at,", "generated_at,")
    lines = csv.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if not line.startswith(provenance)]


def test_users_add_looks_the_agent_up_on_postgresql(
    postgres_warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    users = tmp_path / "users.yml"
    args = ["users", "add", "zed", "--role", "agent", "--users", str(users)]
    monkeypatch.setattr("getpass.getpass", lambda text="": "a long enough password 1")
    assert main([*args, "--agent-id", "AG999", "--warehouse", postgres_warehouse]) == 2
    err = capsys.readouterr().err
    assert err.startswith("amicable: error: unknown agent 'AG999': not among the ")
    assert "agents of staging.stg_cases__agents in postgresql://" in err and "(AG001, " in err
    assert len(err.splitlines()) == 1 and not users.exists()
    assert f"{NAME}:{NAME}@" not in err  # the password is masked

    assert main([*args, "--agent-id", "AG002", "--warehouse", postgres_warehouse]) == 0
    assert "AG002" in users.read_text(encoding="utf-8")


def test_docs_read_the_column_types_from_postgresql(
    postgres_warehouse: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "docs"
    args = ["docs", "--no-serve", "--warehouse", postgres_warehouse, "--as-of", "2026-11-20"]
    assert main([*args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "column types from postgresql://" in printed and f"{NAME}:{NAME}@" not in printed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["adapter_type"] == "postgres"
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    ageing = catalog["nodes"]["model.amicable.fct_ar_ageing"]
    assert ageing["metadata"]["schema"] == "marts"  # the published build
    types = {column["type"] for column in ageing["columns"].values()}
    # PostgreSQL's names (DuckDB's are upper case: VARCHAR, DECIMAL(18,2), DATE)
    assert "date" in types and any(t.startswith("numeric(") for t in types), types
    assert all(t == t.lower() for t in types), types
    assert (out / "static_index.html").is_file()
