"""Copy the raw layer of a built DuckDB warehouse into a PostgreSQL database (issue 16).

Temporary groundwork, so the dbt project can be built and tested on PostgreSQL before the
ingestion writes there itself: the issue wants `ingestion/` to load raw into PostgreSQL with
bulk `COPY` (same quarantine and `_loads` idempotency), which replaces this script. Each source
table of the contracts (`ingestion.contracts.SOURCES`) is created from the same DDL as in
DuckDB (`raw_table_ddl`, whose types PostgreSQL accepts), emptied, and filled by one
`COPY ... FROM STDIN` of the DuckDB table written as CSV (DuckDB quotes an empty string and
leaves NULL empty, which is how PostgreSQL's CSV format tells them apart).

    uv run python -m tests.postgres.copy_raw WAREHOUSE.duckdb

The PostgreSQL database is the one profiles.yml's `postgres` output names (AMICABLE_PG_HOST,
_PORT, _USER, _PASSWORD, _DATABASE).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb
import psycopg2

from ingestion.contracts import SOURCES, raw_table_ddl

SCHEMA = "raw"


def connection_settings(env: Mapping[str, str] = os.environ) -> dict[str, str | int]:
    """psycopg2's connection arguments from the variables profiles.yml's `postgres` output
    reads, with its defaults."""
    return {
        "host": env.get("AMICABLE_PG_HOST", "localhost"),
        "port": int(env.get("AMICABLE_PG_PORT", "5432")),
        "user": env.get("AMICABLE_PG_USER", "amicable"),
        "password": env.get("AMICABLE_PG_PASSWORD", ""),
        "dbname": env.get("AMICABLE_PG_DATABASE", "amicable"),
    }


def copy_raw(warehouse: Path, settings: Mapping[str, str | int]) -> dict[str, int]:
    """Replace the rows of every raw source table in PostgreSQL by the DuckDB warehouse's;
    returns the rows copied per table. One transaction: on any error nothing is changed."""
    copied: dict[str, int] = {}
    with (
        duckdb.connect(str(warehouse), read_only=True) as source,
        contextlib.closing(psycopg2.connect(**settings)) as target,
        target,  # the transaction: committed at the end, rolled back on an error
        target.cursor() as cur,
        tempfile.TemporaryDirectory() as work,
    ):
        cur.execute(f"create schema if not exists {SCHEMA}")
        for table in SOURCES:
            csv = Path(work) / f"{table.name}.csv"
            relation = source.table(f"{SCHEMA}.{table.name}")
            relation.write_csv(str(csv))
            columns = ", ".join(relation.columns)
            cur.execute(raw_table_ddl(table, SCHEMA))
            cur.execute(f"truncate {SCHEMA}.{table.name}")
            with csv.open() as rows:
                cur.copy_expert(
                    f"copy {SCHEMA}.{table.name} ({columns}) from stdin"
                    " with (format csv, header true)",
                    rows,
                )
            copied[table.name] = cur.rowcount
    return copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="a built DuckDB warehouse file")
    args = parser.parse_args()
    for table, rows in copy_raw(args.warehouse, connection_settings()).items():
        print(f"raw.{table}: {rows} rows")


if __name__ == "__main__":
    main()
