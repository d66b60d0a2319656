"""The tiny sample built on PostgreSQL gives the same tables as on DuckDB (issue 16, "equal
figures on every engine"): the raw layer of the session's DuckDB build copied into an empty
PostgreSQL database, one `dbt build` there (models, data tests and unit tests: a first build
on an empty database must pass as a later one does), then every staging, intermediate and
mart table compared row for row with DuckDB's (`tests/postgres/compare_with_duckdb.py`:
decimals exactly, doubles to 9 places, build-lineage columns left out).

No known difference is left: `marts.dim_build.build_fingerprint` is the orchestrator's value
(a hash of the project files and vars), not a figure, so the DuckDB build's is passed to the
PostgreSQL one as the orchestrator would; `round_double` rounds as DuckDB does (the means of the
former `fct_stage_flow_periods` differed at the 4th place before)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from amicable.config import load_config
from ingestion.contracts import SOURCES
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dbt_project.raw_fixture import run_dbt
from tests.postgres.compare_with_duckdb import differences, model_tables
from tests.postgres.conftest import PostgresServer
from tests.postgres.copy_raw import copy_raw

# Different on purpose, table -> the columns that differ (none now; see the module's docstring).
KNOWN_DIFFERENCES: dict[str, list[str]] = {}


def test_tiny_sample_on_postgresql_equals_duckdb(
    sample_build: SampleBuild, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    warehouse = sample_build.settings.warehouse
    copied = copy_raw(warehouse, postgres_server.settings())
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (fingerprint,) = con.execute("select build_fingerprint from marts.dim_build").fetchone()
        raw_rows = {
            table.name: con.execute(f"select count(*) from raw.{table.name}").fetchone()[0]
            for table in SOURCES
        }
    assert copied == raw_rows

    values = load_config(sample_build.settings.config).dbt_vars() | {
        "as_of": SAMPLE_AS_OF.isoformat(),
        "build_fingerprint": fingerprint,
    }
    build = run_dbt(
        ["build", "--vars", json.dumps(values, sort_keys=True), "--threads", "1"],
        tmp_path / "unused.duckdb",  # the postgres target reads AMICABLE_PG_*
        tmp_path,
        env=postgres_server.environment(),
    )
    failed = {name: s for name, s in build.statuses.items() if s not in ("success", "pass")}
    assert build.returncode == 0 and not failed, f"{failed}\n{build.output[-3000:]}"
    # The unit test that needs star_replace's columns before the model's table exists.
    restates = "ar_balances_daily_build_restates_touched_invoices_dates_rates"
    assert build.statuses[f"int_finance_ar_balances::{restates}"] == "pass"

    differing, identical = differences(warehouse, postgres_server.settings())
    assert differing == KNOWN_DIFFERENCES
    assert identical + len(differing) == model_tables(warehouse)
