"""The tiny sample built on PostgreSQL gives the same tables as on DuckDB (issue 16, "equal
figures on every engine"), compared as `amicable compare-engines` compares them
(`amicable.engine_compare`): the session's PostgreSQL build (`tiny_on_postgres`, the engine
the command builds on) passes its data tests, holds the same raw layer as the session's DuckDB
build, and every staging, intermediate and mart table equals DuckDB's row for row (numbers to
the cent, build-lineage columns left out). The dbt unit tests pass on PostgreSQL (one of them
before its model's table exists).

No known difference is left: `marts.dim_build.build_fingerprint` is computed by both builds
from the same project files and vars; `round_double` rounds as DuckDB does (the means of the
former `fct_stage_flow_periods` differed at the 4th place before)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import psycopg2

from amicable.config import load_config
from amicable.engine_compare import compare, report
from amicable.settings import DEFAULT_CONFIG
from orchestration.engines import duckdb_engine
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dbt_project.raw_fixture import DbtRun, run_dbt
from tests.postgres.conftest import NAME, PostgresServer, TinyOnPostgres
from tests.postgres.test_build_on_postgres import counts, duckdb_counts, sql_checks


def test_tiny_sample_on_postgresql_equals_duckdb(
    sample_build: SampleBuild, tiny_on_postgres: TinyOnPostgres
) -> None:
    built = tiny_on_postgres.built
    assert built.ok, built.report
    assert "full refresh: first build of this warehouse" in tiny_on_postgres.progress
    assert ", 0 warned, 0 blocking" in built.report  # every data test passed
    assert "not done on a PostgreSQL warehouse yet:" not in built.report
    # the tested marks, kept beside the models they describe (published with them)
    marked = "select model, settled from build_state.tested_marks order by model"
    on_duckdb = sql_checks(sample_build.settings.warehouse, marked)
    assert on_duckdb and all(settled for _, settled in on_duckdb)
    assert sql_checks(tiny_on_postgres.settings, marked) == on_duckdb
    assert f"{NAME}:{NAME}@" not in built.report + tiny_on_postgres.progress
    assert counts(tiny_on_postgres.settings) == duckdb_counts(sample_build.settings.warehouse)

    duckdb = duckdb_engine(sample_build.settings.warehouse)
    results = compare(duckdb, tiny_on_postgres.engine)
    different = [line for line in report([built], {"postgresql": results}) if "DIFFERENT" in line]
    assert different == []
    with duckdb.open() as reader:
        assert [r.table for r in results] == sorted(reader.tables())
    assert results and all(r.rows["duckdb"] == r.rows["postgresql"] for r in results)


def unit_tests(selector: str, database: str, server: PostgresServer, work: Path) -> DbtRun:
    """`dbt test` of the unit tests `selector` picks, on PostgreSQL's `database`."""
    values = load_config(DEFAULT_CONFIG).dbt_vars() | {"as_of": SAMPLE_AS_OF.isoformat()}
    run = run_dbt(
        ["test", "--select", selector, "--threads", "1"]
        + ["--vars", json.dumps(values, sort_keys=True)],
        work / "unused.duckdb",  # the postgres target reads AMICABLE_PG_*
        work,
        env=server.environment() | {"AMICABLE_PG_DATABASE": database},
    )
    failed = {name: s for name, s in run.statuses.items() if s != "pass"}
    assert run.returncode == 0 and not failed, f"{failed}\n{run.output[-3000:]}"
    assert run.statuses and all("::" in name for name in run.statuses)  # unit tests only
    return run


def test_unit_tests_pass_on_postgresql(
    tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """Every dbt unit test, on a copy of the session's build (the models they read exist, as
    when `dbt build` runs them); then int_finance_ar_balances's again with its table dropped,
    as on a new warehouse, where a model's unit tests run before its table exists."""
    database = "amicable_unit_tests"
    settings = postgres_server.fresh_database(database, tiny_on_postgres.database)
    every = unit_tests("resource_type:unit_test", database, postgres_server, tmp_path / "all")
    assert len(every.statuses) > 50
    with contextlib.closing(psycopg2.connect(**settings)) as con, con, con.cursor() as cur:
        cur.execute("drop table intermediate.int_finance_ar_balances cascade")  # its test views
    model = "int_finance_ar_balances"
    alone = unit_tests(f"{model},resource_type:unit_test", database, postgres_server, tmp_path)
    # The unit test that needs star_replace's columns before the model's table exists.
    restates = "ar_balances_daily_build_restates_touched_invoices_dates_rates"
    assert alone.statuses[f"{model}::{restates}"] == "pass"
