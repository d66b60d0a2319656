"""`amicable build --warehouse spark:DIR`: the dbt project built on Apache Spark (issue 16,
"Spark for the marts").

dbt-spark's `session` method runs pyspark inside dbt's own process (profiles.yml's `spark`
output: master `local[2]` unless AMICABLE_SPARK_MASTER, no UI, session time zone UTC). Every
file of a Spark warehouse lives under its one directory, `DIR` (AMICABLE_SPARK_DIR for dbt),
never in the repository: `ingest.duckdb` (the raw layer, its load log and quarantine), `raw/`
(the raw layer as Parquet), Spark's catalog (an embedded Derby metastore) and managed tables,
`dbt/` (dbt's artifacts, kept when a build fails), `last_build.log` and `models_built.json`
(what the next build continues, below).

What `run_spark_build` runs, in order (the shape of `orchestration.pg_build`, whose steps it
shares):

1. with `--source-db`, the source database's extraction into the landing zone;
2. ingestion: every source's files through `ingestion.load` (contracts, quarantine,
   content-hash idempotency) into `DIR/ingest.duckdb`, kept from one build to the next, so a
   second build of the same files loads nothing new (`pg_build.ingest_sources`);
3. each raw table written as Parquet, one directory per source table under `DIR/raw/`
   (`write_raw_parquet`), and registered as Spark's `raw.<table>`, which the dbt sources name
   (`dbt run-operation register_raw_parquet`, macros/register_raw_parquet.sql), in dbt's own
   session, so there is one place the Spark session is configured: the profile;
4. `dbt run` on the `spark` output, incremental unless a full refresh is due for the same
   reasons as on DuckDB (`orchestration.incremental.refresh_reason`, from `models_built.json`:
   the fingerprint and as-of date of the last build whose models all built), then `dbt test`
   of the data tests, each judged by its level as on DuckDB and PostgreSQL
   (`pg_build.run_and_test`; a failing row-level test's share counted on its table's Parquet
   files). The data tests read every row: the staging tests' new batches and the other
   models' tested marks are DuckDB's and PostgreSQL's (kept beside a published build).

The incremental models' delete+insert runs on plain Parquet tables as a swap (the batch, then
the table as it must become under another name, then drop and rename:
macros/spark_incremental.sql), Delta Lake and Iceberg being neither installed nor fetchable
here.

`python -m orchestration.spark_build WAREHOUSE SPARK_DIR` builds the models alone from a built
DuckDB warehouse's raw layer (`build_on_spark`, no ingestion, no tests), for
benchmarks/spark_build.py's models-only timing.

A cluster changes the profile's output (method thrift/http or a Spark Connect server, its
host) and where the raw Parquet lives (a path every executor reads: HDFS, S3, ...), not the
models: README "Apache Spark as a warehouse", docs/spark_progress.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from amicable import progress
from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, Settings, memory_limit
from amicable.warehouse_ref import SparkWarehouse
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema
from orchestration.dbt_assets import build_environment, dbt_executable
from orchestration.incremental import refresh_reason
from orchestration.pg_build import (
    PgBuildOutcome,
    dbt_values,
    extract,
    format_outcome,
    ingest_sources,
    run_and_test,
)

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


def tables_root(spark_dir: Path) -> Path:
    """Where Spark keeps its managed tables, a `<schema>.db/<table>/` folder of Parquet files
    each (spark.sql.warehouse.dir, as profiles.yml's `spark` output sets it)."""
    return spark_dir / "warehouse"


def table_dir(spark_dir: Path, schema: str, table: str) -> Path:
    """Where Spark keeps a managed table's Parquet files."""
    return tables_root(spark_dir) / f"{schema}.db" / table


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

    def options(self) -> list[str]:
        """dbt's arguments naming the `spark` output and where its artifacts and log go."""
        return [
            "--target", DBT_TARGET,
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(self.work_dir / "target"),
            "--log-path", str(self.work_dir / "logs"),
        ]  # fmt: skip

    def run(self, args: list[str], extra_env: Mapping[str, str] | None = None) -> tuple[int, str]:
        """`dbt <args>` in a subprocess (the session lives as long as dbt's process); its exit
        code and output."""
        command = [dbt_executable(), *args, *self.options()]
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
    (spark_dir / MODELS_BUILT).unlink(missing_ok=True)  # not a build the next one continues
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


NOT_YET = (
    "publication: dbt writes the live tables (no slot to publish atomically); a blocking check "
    "cannot hold the figures back",
    "catch-up of missed nights: one as-of date is built",
    "quality.check_results, quality report, alerts, case scores, the dashboard: dbt test "
    "results printed only",
    "Great Expectations suites and Python checks on raw and marts: they read DuckDB",
)
INGEST_DB = "ingest.duckdb"
# The fingerprint and as-of date of the last build whose models all built: what the next
# build continues (a dbt run stopped half way leaves some models of the new build and some of
# the old; only a full refresh makes them one build again).
MODELS_BUILT = "models_built.json"


def run_spark_build(settings: Settings, warehouse: SparkWarehouse) -> PgBuildOutcome:
    """Ingest into the Spark directory's DuckDB file, write its raw layer as Parquet and
    register it on Spark, then build and test the dbt models there (module docstring).
    A build Spark refuses (the session does not start, the raw layer is not registered) is an
    error of `outcome`, dbt's output in its log."""
    spark_dir = warehouse.directory.absolute()  # dbt reads a relative target path from its project
    outcome = PgBuildOutcome(log=spark_dir / "last_build.log")
    batch_id = str(uuid.uuid4())
    if settings.source_db:
        extract(settings)
    ingest(settings, warehouse, batch_id, outcome)
    dbt = SparkDbt(spark_dir, spark_dir / "dbt")
    shutil.rmtree(dbt.work_dir, ignore_errors=True)
    try:
        register_raw(dbt, spark_dir / "raw")
    except RuntimeError as exc:
        assert outcome.log is not None
        outcome.log.write_text(str(exc), encoding="utf-8")
        outcome.errors.append(f"Spark refused the raw layer's Parquet: see {outcome.log}")
        return outcome
    progress.step("raw layer registered on Spark")
    values, fingerprint = dbt_values(settings, batch_id)
    outcome.refresh = spark_refresh_reason(spark_dir, fingerprint, settings)
    values |= {"build_fingerprint": fingerprint, "full_refresh_reason": outcome.refresh}
    config_vars, build_env = build_environment(values)
    common = ["--vars", json.dumps(config_vars, sort_keys=True), *dbt.options()]
    max_share = load_config(settings.config).quality.max_failing_row_share
    env = {**dbt.environment(), **build_env}
    row_counts = functools.partial(parquet_rows, spark_dir)
    built = spark_dir / MODELS_BUILT
    built.unlink(missing_ok=True)
    remove_work_tables(spark_dir)
    run_and_test("Spark", common, env, dbt.work_dir / "target", outcome, max_share, row_counts)
    if outcome.models_ok:
        state = {"build_fingerprint": fingerprint, "as_of_date": settings.as_of.isoformat()}
        written = built.with_suffix(".tmp")
        written.write_text(json.dumps(state), encoding="utf-8")
        written.replace(built)
    return outcome


def remove_work_tables(spark_dir: Path) -> None:
    """The folders of the incremental models' work tables (`<model>__dbt_batch`, `__dbt_new`,
    `__dbt_kept`: macros/spark_incremental.sql; `<model>__dbt_<scope>`: macros/staged_cte.sql)
    a stopped build left: the materialization drops
    the tables the catalog knows, but a folder the catalog lost (a stop inside `create table`)
    would stop a table of that name from being created."""
    for folder in tables_root(spark_dir).glob("*.db/*__dbt_*"):
        shutil.rmtree(folder)


def spark_refresh_reason(spark_dir: Path, fingerprint: str, settings: Settings) -> str:
    """Why this Spark build recomputes every model (`orchestration.incremental.refresh_reason`,
    from `MODELS_BUILT`), or "" when it continues the last one."""
    built = spark_dir / MODELS_BUILT
    try:
        state = json.loads(built.read_text(encoding="utf-8"))
        row = (state["build_fingerprint"], date.fromisoformat(state["as_of_date"]))
    except (OSError, ValueError, KeyError, TypeError):  # none, or not one this code wrote
        pass
    else:
        return refresh_reason(row, fingerprint, settings.as_of, settings.full_refresh)
    models_written = [d for d in tables_root(spark_dir).glob("*.db") if d.name != "raw.db"]
    if not settings.full_refresh and models_written:
        return "the last build's models did not all build"
    return refresh_reason(None, fingerprint, settings.as_of, settings.full_refresh)


def ingest(
    settings: Settings, warehouse: SparkWarehouse, batch_id: str, outcome: PgBuildOutcome
) -> None:
    """The landing zone's new files into the Spark directory's DuckDB file as batch
    `batch_id` (the sources' counts and quarantine lines into `outcome`), then its whole raw
    layer written as Parquet under `raw/` (`write_raw_parquet`)."""
    spark_dir = warehouse.directory
    spark_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(spark_dir / INGEST_DB)) as duck:
        duck.execute(f"set memory_limit = '{memory_limit()}'")
        ensure_raw_schema(duck, SOURCES)
        ingest_sources(duck, settings.landing, batch_id, outcome)
    written = write_raw_parquet(spark_dir / INGEST_DB, spark_dir / "raw")
    progress.step(f"raw layer written as Parquet: {sum(written.values())} rows")


def parquet_rows(spark_dir: Path, asset: str) -> int | None:
    """Rows of the model `asset` (`schema/name`) read from its table's Parquet files; None
    when it has none (a view, a test on no model, a model that failed to build)."""
    schema, _, name = asset.partition("/")
    folder = table_dir(spark_dir, schema, name)
    if not name or not any(folder.glob("*.parquet")):
        return None
    with duckdb.connect() as con:
        (rows,) = con.execute(f"select count(*) from read_parquet('{folder}/*.parquet')").fetchone()
    return int(rows)


def format_spark_outcome(
    outcome: PgBuildOutcome, warehouse: SparkWarehouse, settings: Settings
) -> str:
    return format_outcome(outcome, str(warehouse), settings, "a Spark warehouse", NOT_YET)


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
