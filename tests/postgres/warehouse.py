"""A PostgreSQL warehouse of the tiny sample, for the dashboard tests on PostgreSQL (issue 16).

A copy (database `amicable_dashboard`) of the session's PostgreSQL build of the tiny sample
(`tiny_on_postgres`). The pipeline's own records that the Data health page reads are replaced
by the DuckDB build's, so both warehouses show the same history: `raw._loads` and
`raw.quarantine` (written by each build, with its own load times and batch ids), and
`quality.check_results` (a PostgreSQL build records no Great Expectations suite's results, a
DuckDB build every check's) and `quality.source_freshness` (each build's own times).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psycopg2
import pytest

from tests.conftest import SampleBuild
from tests.postgres.conftest import NAME, PostgresServer, TinyOnPostgres

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
    return server.url(database, password)


def copy_pipeline_tables(warehouse: Path, settings: dict[str, str | int]) -> None:
    """PIPELINE_TABLES of the DuckDB `warehouse`, created (again) and filled in PostgreSQL."""
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
            cur.execute(f"drop table if exists {table}")
            cur.execute(f"create table {table} ({typed})")
            with csv.open() as rows:
                cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", rows)


@pytest.fixture(scope="module")
def postgres_warehouse(
    sample_build: SampleBuild, tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer
) -> Iterator[str]:
    """The URL of a PostgreSQL warehouse of the tiny sample (password in the URL)."""
    assert tiny_on_postgres.built.ok, tiny_on_postgres.built.report
    settings = postgres_server.fresh_database(DATABASE, tiny_on_postgres.database)
    copy_pipeline_tables(sample_build.settings.warehouse, settings)
    yield url(postgres_server)
