"""Compare the models built on PostgreSQL with those of a DuckDB warehouse, table by table.

Temporary groundwork of issue 16 ("equal figures on every engine"), until the comparison the
issue asks for (`amicable compare-engines`) exists. Every base table of the model schemas in
the DuckDB warehouse is read from both engines, leaving out the build-lineage columns
(`tests.warehouse_compare.BUILD_COLUMNS`), and compared as a multiset of rows: exact decimals
exactly, doubles to `--places` decimal places (default 9), timestamps without a time zone,
JSON texts with their keys sorted. Prints each table that differs with the columns whose
values differ, then the number of identical tables.

    uv run python -m tests.postgres.compare_with_duckdb WAREHOUSE.duckdb [--places 2]

The PostgreSQL database is the one profiles.yml's `postgres` output names (AMICABLE_PG_*).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import decimal
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import psycopg2

from tests.postgres.copy_raw import connection_settings
from tests.warehouse_compare import BUILD_COLUMNS, MODEL_SCHEMAS


def comparable(value: Any, places: int) -> Any:
    """`value` as both engines' drivers should agree on it."""
    if isinstance(value, decimal.Decimal):
        return value.normalize()
    if isinstance(value, float):
        return round(value, places)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(value), sort_keys=True)
    return value


def model_tables(warehouse: Path) -> int:
    """The base tables of the model schemas in the DuckDB warehouse (what `differences` reads)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marks = ", ".join("?" for _ in MODEL_SCHEMAS)
        (tables,) = con.execute(
            "select count(*) from information_schema.tables where table_type = 'BASE TABLE'"
            f" and table_schema in ({marks})",
            list(MODEL_SCHEMAS),
        ).fetchone()
    return tables


def differences(
    warehouse: Path, settings: Mapping[str, str | int], places: int = 9
) -> tuple[dict[str, list[str]], int]:
    """The tables that differ (-> the columns whose values differ, or the PostgreSQL error),
    and the number of identical tables."""
    differing: dict[str, list[str]] = {}
    identical = 0
    with (
        duckdb.connect(str(warehouse), read_only=True) as duck,
        contextlib.closing(psycopg2.connect(**settings)) as pg,
        pg.cursor() as cur,
    ):
        marks = ", ".join("?" for _ in MODEL_SCHEMAS)
        tables = duck.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in ({marks}) and table_type = 'BASE TABLE' order by 1, 2",
            list(MODEL_SCHEMAS),
        ).fetchall()
        for schema, table in tables:
            name = f"{schema}.{table}"
            described = duck.execute(f"describe {name}").fetchall()
            columns = [row[0] for row in described if row[0] not in BUILD_COLUMNS]
            select = f"select {', '.join(columns)} from {name}"
            on_duckdb = Counter(
                tuple(comparable(v, places) for v in row) for row in duck.execute(select).fetchall()
            )
            try:
                cur.execute(select)
            except psycopg2.Error as error:
                pg.rollback()
                differing[name] = [str(error).splitlines()[0]]
                continue
            on_postgres = Counter(
                tuple(comparable(v, places) for v in row) for row in cur.fetchall()
            )
            if on_duckdb == on_postgres:
                identical += 1
                continue
            differing[name] = [
                column
                for i, column in enumerate(columns)
                if Counter(row[i] for row in on_duckdb.elements())
                != Counter(row[i] for row in on_postgres.elements())
            ] or ["(rows: the columns agree one by one)"]
    return differing, identical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="the DuckDB warehouse to compare with")
    parser.add_argument("--places", type=int, default=9, help="decimal places of doubles")
    args = parser.parse_args()
    differing, identical = differences(args.warehouse, connection_settings(), args.places)
    for name, columns in differing.items():
        print(f"{name}: differs in {', '.join(columns)}")
    print(f"{identical} tables identical, {len(differing)} differ")


if __name__ == "__main__":
    main()
