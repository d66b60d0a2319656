"""The dbt project built on Apache Spark (issue 16, "Spark for the marts", first slice).

dbt-spark's `session` method runs pyspark inside dbt's own process (profiles.yml's `spark`
output: master `local[2]` unless AMICABLE_SPARK_MASTER, no UI, session time zone UTC). Spark's
catalog (an embedded Derby metastore) and its managed tables live under one directory of
their own, `spark_dir` (AMICABLE_SPARK_DIR), never in the repository.

What runs, in order:

1. the raw layer of a DuckDB warehouse built from the landing zone (`amicable build`:
   ingestion's contracts, quarantine and idempotency are DuckDB's) written as Parquet, one
   directory per source table under `<spark_dir>/raw/` (`write_raw_parquet`);
2. those directories registered as Spark's `raw.<table>` tables, which the dbt sources name
   (`dbt run-operation register_raw_parquet`, macros/register_raw_parquet.sql), in dbt's own
   session, so there is one place the Spark session is configured: the profile;
3. `dbt run --full-refresh` on the `spark` output, then optionally `dbt test`.

Always a full refresh: the staging models' `delete+insert` strategy needs Delta Lake or
Iceberg on Spark (neither is installed); plain Parquet tables are rebuilt whole.

A cluster changes the profile's output (method thrift/http or a Spark Connect server, its
host) and where the raw Parquet lives (a path every executor reads: HDFS, S3, ...), not the
models: README "Apache Spark as a warehouse", docs/spark_progress.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG
from ingestion.contracts import SOURCES
from orchestration.dbt_assets import build_environment, dbt_executable

DBT_TARGET = "spark"
SPARK_DIR_ENV = "AMICABLE_SPARK_DIR"


def java_missing() -> str | None:
    """Why a local Spark session cannot start here (no `java` on PATH or JAVA_HOME, or no
    pyspark installed), or None when it can."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (uv sync --extra spark)"
    java_home = os.environ.get("JAVA_HOME")
    if not (shutil.which("java") or (java_home and (Path(java_home) / "bin/java").exists())):
        return "no Java runtime (java on PATH or JAVA_HOME); Spark 4 needs Java 17 or later"
    return None


def table_dir(spark_dir: Path, schema: str, table: str) -> Path:
    """Where Spark keeps a managed table's Parquet files (spark.sql.warehouse.dir, as
    profiles.yml's `spark` output sets it: `<spark_dir>/warehouse`)."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def write_raw_parquet(warehouse: Path, raw_dir: Path) -> dict[str, int]:
    """Every source table of `warehouse`'s raw layer as Parquet in `raw_dir/<table>/`
    (replacing what was there); returns the rows written per table."""
    written: dict[str, int] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in SOURCES:
            target = raw_dir / table.name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            con.execute(f"copy raw.{table.name} to '{target / 'data.parquet'}' (format parquet)")
            (rows,) = con.execute(f"select count(*) from raw.{table.name}").fetchone()
            written[table.name] = rows
    return written


@dataclass
class SparkDbt:
    """dbt on the profile's `spark` output with its files under `spark_dir`."""

    spark_dir: Path
    work_dir: Path  # dbt's target/ and logs/

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "AMICABLE_DBT_TARGET": DBT_TARGET,
            SPARK_DIR_ENV: str(self.spark_dir.resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
        }

    def run(self, args: list[str], extra_env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """`dbt <args>` in a subprocess (the session lives as long as dbt's process); its exit
        code and output."""
        target = self.work_dir / "target"
        command = [
            dbt_executable(), *args, "--target", DBT_TARGET,
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(self.work_dir / "logs"),
        ]  # fmt: skip
        env = {**self.environment(), **(extra_env or {})}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        return done.returncode, done.stdout + done.stderr

    def results(self) -> dict[str, str]:
        """The last command's node statuses, `model.amicable.x` -> status."""
        path = self.work_dir / "target" / "run_results.json"
        if not path.exists():
            return {}
        return {r["unique_id"]: r["status"] for r in json.loads(path.read_text())["results"]}


def register_raw(dbt: SparkDbt, raw_dir: Path) -> None:
    """`raw_dir`'s Parquet directories as Spark's `raw.<table>` tables. Raises RuntimeError
    with dbt's output when Spark refuses."""
    tables = {t.name: str((raw_dir / t.name).resolve()) for t in SOURCES}
    code, output = dbt.run(
        ["run-operation", "register_raw_parquet", "--args", json.dumps({"tables": tables})]
    )
    if code != 0:
        raise RuntimeError(f"registering the raw Parquet on Spark failed:\n{output[-3000:]}")


def build_on_spark(
    warehouse: Path,
    spark_dir: Path,
    values: dict,
    select: list[str] | None = None,
    test: bool = False,
) -> tuple[SparkDbt, int, str]:
    """The raw layer of the DuckDB `warehouse` written as Parquet under `spark_dir/raw`,
    registered on Spark, then `dbt run --full-refresh` (of `select`, default every model) with
    dbt's `values` (vars and build values, as `orchestration.dbt_assets.build_environment`
    splits them); with `test`, `dbt build` instead (models and their tests). Returns the dbt
    runner, dbt's exit code and output."""
    dbt = SparkDbt(spark_dir, spark_dir / "dbt")
    write_raw_parquet(warehouse, spark_dir / "raw")
    register_raw(dbt, spark_dir / "raw")
    config_vars, build_env = build_environment(values)
    selection = ["--select", *select] if select else []
    command = "build" if test else "run"
    code, output = dbt.run(
        [command, "--full-refresh", "--vars", json.dumps(config_vars, sort_keys=True), *selection],
        build_env,
    )
    return dbt, code, output


def summary(dbt: SparkDbt, code: int, output: str) -> tuple[bool, list[str]]:
    """Whether a Spark build passed (dbt's exit code 0 and every node succeeded or passed),
    and the lines that say so: the nodes that did not, dbt's output when it ran none, its log."""
    statuses = dbt.results()
    failed = sorted(k for k, v in statuses.items() if v not in ("success", "pass"))
    lines = [f"{len(statuses) - len(failed)} of {len(statuses)} nodes succeeded on Spark"]
    lines += [f"  {statuses[unique_id]}: {unique_id}" for unique_id in failed]
    if code != 0 and not statuses:
        lines.append(output[-3000:])
    lines.append(f"dbt's log: {dbt.work_dir / 'logs' / 'dbt.log'}")
    return code == 0 and not failed, lines


def values_of(warehouse: Path, config: Path = DEFAULT_CONFIG) -> dict:
    """dbt's values that rebuild the DuckDB `warehouse`'s models elsewhere: the configuration's
    vars, and the as-of date and build fingerprint its `marts.dim_build` recorded (the
    fingerprint is the orchestrator's value, a hash of the project files, not a figure)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        as_of, fingerprint = con.execute(
            "select as_of_date, build_fingerprint from marts.dim_build"
        ).fetchone()
    return load_config(config).dbt_vars() | {
        "as_of": as_of.isoformat(),
        "build_fingerprint": fingerprint,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the dbt models on Spark from a built DuckDB warehouse's raw layer."
    )
    parser.add_argument("warehouse", type=Path, help="a DuckDB warehouse built by amicable build")
    parser.add_argument("spark_dir", type=Path, help="Spark's metastore, tables and raw Parquet")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--test", action="store_true", help="dbt build: the data tests too")
    args = parser.parse_args(argv)
    reason = java_missing()
    if reason:
        print(f"Spark cannot start here: {reason}", file=sys.stderr)
        return 2
    values = values_of(args.warehouse, args.config)
    ok, lines = summary(*build_on_spark(args.warehouse, args.spark_dir, values, test=args.test))
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
