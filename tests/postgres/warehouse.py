"""A PostgreSQL warehouse of the tiny sample, for the dashboard tests on PostgreSQL (issue 16).

Built as `test_duckdb_equal.py` builds one: the raw layer of the session's DuckDB build copied
in (`copy_raw`), then one `dbt build --target postgres` with the DuckDB build's vars and
fingerprint; in a database of its own (`amicable_dashboard`), so it never meets the tables of
`test_duckdb_equal.py`. The pipeline's own records that the Data health page reads (`raw._loads`,
`raw.quarantine`, `quality.check_results`, `quality.source_freshness`, written by the build
outside dbt) are copied from the DuckDB build too, until the build writes them to PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest

from amicable.config import load_config
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dbt_project.raw_fixture import run_dbt
from tests.postgres.conftest import NAME, PostgresServer
from tests.postgres.copy_raw import copy_raw

DATABASE = "amicable_dashboard"
# The build's records the dashboard reads, outside the dbt models.
PIPELINE_TABLES = (
    "raw._loads",
    "raw.quarantine",
    "quality.check_results",
    "quality.source_freshness",
)
# DuckDB column type -> PostgreSQL's (the types of PIPELINE_TABLES).
_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


def url(server: PostgresServer, database: str = DATABASE, password: str = NAME) -> str:
    return f"postgresql://{NAME}:{password}@{server.host}:{server.port}/{database}"


def copy_pipeline_tables(warehouse: Path, settings: dict[str, str | int]) -> None:
    """PIPELINE_TABLES of the DuckDB `warehouse`, created and filled in PostgreSQL."""
    with (
        duckdb.connect(str(warehouse), read_only=True) as source,
        contextlib.closing(psycopg2.connect(**settings)) as target,
        target,
        target.cursor() as cur,
        tempfile.TemporaryDirectory() as work,
    ):
        for table in PIPELINE_TABLES:
            schema = table.split(".")[0]
            columns = source.execute(f"describe {table}").fetchall()
            typed = ", ".join(f'"{name}" {_TYPES[kind]}' for name, kind, *_ in columns)
            csv = Path(work) / f"{table}.csv"
            source.table(table).write_csv(str(csv))
            cur.execute(f"create schema if not exists {schema}")
            cur.execute(f"create table {table} ({typed})")
            with csv.open() as rows:
                cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", rows)


def build_warehouse(sample_build: SampleBuild, server: PostgresServer, work: Path) -> str:
    """The URL of database DATABASE holding the sample built on PostgreSQL."""
    settings = server.fresh_database(DATABASE)
    warehouse = sample_build.settings.warehouse
    copy_raw(warehouse, settings)
    copy_pipeline_tables(warehouse, settings)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (fingerprint,) = con.execute("select build_fingerprint from marts.dim_build").fetchone()
    values = load_config(sample_build.settings.config).dbt_vars() | {
        "as_of": SAMPLE_AS_OF.isoformat(),
        "build_fingerprint": fingerprint,
    }
    # models only: test_duckdb_equal.py runs the tests of the same build
    build = run_dbt(
        ["run", "--vars", json.dumps(values, sort_keys=True), "--threads", "1"],
        work / "unused.duckdb",  # the postgres target reads AMICABLE_PG_*
        work,
        env=server.environment() | {"AMICABLE_PG_DATABASE": DATABASE},
    )
    assert build.returncode == 0, build.output[-3000:]
    return url(server)


@pytest.fixture(scope="module")
def postgres_warehouse(
    sample_build: SampleBuild,
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The URL of a PostgreSQL warehouse of the tiny sample (password in the URL)."""
    yield build_warehouse(sample_build, postgres_server, tmp_path_factory.mktemp("pg_dbt"))
