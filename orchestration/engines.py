"""The engines `amicable compare-engines` builds the sample on (issue 16), each through the
code path `amicable build` uses on it, and reads back (`amicable.engine_compare`).

An engine is one entry: `Engine(name, where, build, open)`. DuckDB (the reference, first),
PostgreSQL and Spark are here; another engine plugs in as one more factory like
`postgres_engine`, and one more option of the command.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from amicable import progress
from amicable.engine_compare import (
    MODEL_SCHEMAS,
    Engine,
    Reader,
    Sample,
    SqlReader,
    duckdb_reader,
)
from amicable.settings import Settings
from amicable.warehouse_ref import PostgresWarehouse


def duckdb_engine(warehouse: Path) -> Engine:
    """A DuckDB warehouse file, built by `orchestration.build.run_build` (a build there before
    is removed first: the sample is built from nothing)."""

    def build(sample: Sample) -> tuple[bool, str]:
        from orchestration.build import run_build
        from orchestration.report import format_outcome

        for old in warehouse.parent.glob(f"{warehouse.name}*"):
            old.unlink() if not old.is_dir() or old.is_symlink() else shutil.rmtree(old)
        settings = Settings(sample.landing, warehouse, sample.as_of, sample.config)
        with progress.to_terminal(sys.stderr):
            outcome = run_build(settings)
        return outcome.ok, format_outcome(outcome, settings)

    return Engine("duckdb", str(warehouse), build, lambda: duckdb_reader(warehouse))


def postgres_engine(warehouse: PostgresWarehouse, files: Path) -> Engine:
    """A PostgreSQL database, built by `orchestration.pg_build.run_pg_build` (`amicable build
    --warehouse postgresql://...`); its log and dbt's artifacts under `files`."""

    def build(sample: Sample) -> tuple[bool, str]:
        from orchestration.pg_build import format_pg_outcome, run_pg_build

        settings = Settings(sample.landing, files, sample.as_of, sample.config)
        with progress.to_terminal(sys.stderr):
            outcome = run_pg_build(settings, warehouse)
        return outcome.ok, format_pg_outcome(outcome, warehouse, settings)

    return Engine("postgresql", warehouse.masked, build, lambda: postgres_reader(warehouse))


@contextlib.contextmanager
def postgres_reader(warehouse: PostgresWarehouse) -> Iterator[Reader]:
    from ingestion.pg_warehouse import connect

    with connect(warehouse) as con, con.cursor() as cur:
        yield SqlReader(cur, "%s")


def postgres_loads(warehouse: PostgresWarehouse) -> int:
    """The files PostgreSQL's raw layer holds (`raw._loads`), its raw layer created if absent:
    0 for an empty database. A server that does not answer or refuses the login is one line
    (WarehouseError, the URL masked)."""
    from ingestion.pg_warehouse import check, connect

    check(warehouse)
    with connect(warehouse) as con, con.cursor() as cur:
        cur.execute("select count(*) from raw._loads")
        return int(cur.fetchone()[0])


def spark_engine(spark_dir: Path) -> Engine:
    """Apache Spark in local mode (dbt-spark's `session` method), built by
    `orchestration.spark_build.run_spark_build` (`amicable build --warehouse spark:DIR`: its
    own ingestion, a first build, so a full refresh; a build there before is removed first);
    read back from its tables' Parquet files under `spark_dir` (no second Spark session)."""

    def build(sample: Sample) -> tuple[bool, str]:
        from amicable.warehouse_ref import SparkWarehouse
        from orchestration.spark_build import format_spark_outcome, run_spark_build

        shutil.rmtree(spark_dir, ignore_errors=True)
        warehouse = SparkWarehouse(spark_dir)
        settings = Settings(sample.landing, spark_dir, sample.as_of, sample.config)
        with progress.to_terminal(sys.stderr):
            outcome = run_spark_build(settings, warehouse)
        return outcome.ok, format_spark_outcome(outcome, warehouse, settings)

    return Engine("spark", str(spark_dir), build, lambda: spark_reader(spark_dir))


@contextlib.contextmanager
def spark_reader(spark_dir: Path) -> Iterator[Reader]:
    """Spark's model tables read from their Parquet files by DuckDB (in memory)."""
    import duckdb

    with duckdb.connect() as con:
        yield ParquetTables(con, spark_dir)


class ParquetTables:
    """A Reader over the managed tables of a Spark warehouse directory
    (`orchestration.spark_build.table_dir`)."""

    def __init__(self, con, spark_dir: Path) -> None:
        self.con, self.spark_dir = con, spark_dir

    def _files(self, table: str) -> str:
        from orchestration.spark_build import table_dir

        schema, _, name = table.partition(".")
        return f"{table_dir(self.spark_dir, schema, name)}/*.parquet"

    def tables(self) -> dict[str, tuple[str, ...]]:
        from orchestration.spark_build import table_dir

        found: dict[str, tuple[str, ...]] = {}
        for schema in MODEL_SCHEMAS:
            parent = table_dir(self.spark_dir, schema, "")
            for folder in sorted(parent.iterdir()) if parent.is_dir() else ():
                table = f"{schema}.{folder.name}"
                if any(folder.glob("*.parquet")):
                    described = self.con.execute(
                        f"describe select * from read_parquet('{self._files(table)}')"
                    ).fetchall()
                    found[table] = tuple(row[0] for row in described)
        return found

    def read(self, table: str, columns: Sequence[str]) -> list[tuple]:
        listed = ", ".join(f'"{c}"' for c in columns)
        return self.con.execute(
            f"select {listed} from read_parquet('{self._files(table)}')"
        ).fetchall()
