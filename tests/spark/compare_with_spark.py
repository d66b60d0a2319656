"""Compare the models built on Spark with those of a DuckDB warehouse, table by table (issue 16,
"equal figures on every engine").

The same comparison as `tests.postgres.compare_with_duckdb` (its `comparable`: decimals
exactly, doubles to `places` decimal places, timestamps without a time zone, JSON texts with
sorted keys; the build-lineage columns left out; rows as multisets), with Spark's side read
from the Parquet files of its managed tables (`<spark_dir>/warehouse/<schema>.db/<table>/`)
by DuckDB: no second Spark session (and its embedded metastore) is needed after dbt's.

    uv run python -m tests.spark.compare_with_spark WAREHOUSE.duckdb SPARK_DIR [--places 2]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import duckdb

from tests.postgres.compare_with_duckdb import comparable
from tests.warehouse_compare import BUILD_COLUMNS, MODEL_SCHEMAS


def spark_table_dir(spark_dir: Path, schema: str, table: str) -> Path:
    """Where Spark keeps a managed table's Parquet files (spark.sql.warehouse.dir, as
    profiles.yml's `spark` output sets it)."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def differences(
    warehouse: Path, spark_dir: Path, places: int = 9
) -> tuple[dict[str, list[str]], int]:
    """The tables that differ (-> the columns whose values differ, or why Spark's table could
    not be read), and the number of identical tables."""
    differing: dict[str, list[str]] = {}
    identical = 0
    with duckdb.connect(str(warehouse), read_only=True) as duck:
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
            listed = ", ".join(f'"{c}"' for c in columns)
            on_duckdb = Counter(
                tuple(comparable(v, places) for v in row)
                for row in duck.execute(f"select {listed} from {name}").fetchall()
            )
            files = spark_table_dir(spark_dir, schema, table)
            if not any(files.glob("*.parquet")):
                differing[name] = ["(not built on Spark)"]
                continue
            try:
                spark_rows = duck.execute(
                    f"select {listed} from read_parquet('{files}/*.parquet')"
                ).fetchall()
            except duckdb.Error as error:
                differing[name] = [str(error).splitlines()[0]]
                continue
            on_spark = Counter(tuple(comparable(v, places) for v in row) for row in spark_rows)
            if on_duckdb == on_spark:
                identical += 1
                continue
            differing[name] = [
                column
                for i, column in enumerate(columns)
                if Counter(row[i] for row in on_duckdb.elements())
                != Counter(row[i] for row in on_spark.elements())
            ] or ["(rows: the columns agree one by one)"]
    return differing, identical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path, help="the DuckDB warehouse to compare with")
    parser.add_argument("spark_dir", type=Path, help="the Spark build's AMICABLE_SPARK_DIR")
    parser.add_argument("--places", type=int, default=9, help="decimal places of doubles")
    args = parser.parse_args()
    differing, identical = differences(args.warehouse, args.spark_dir, args.places)
    for name, columns in differing.items():
        print(f"{name}: differs in {', '.join(columns)}")
    print(f"{identical} tables identical, {len(differing)} differ")


if __name__ == "__main__":
    main()
