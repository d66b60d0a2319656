"""What building the models costs on Spark against DuckDB, on the same raw layer (issue 16).

    uv run python benchmarks/spark_build.py [--size tiny] [--debtors N] [--work DIR]

The sample (`amicable generate`, seed 7, as of AS_OF) is built once by `amicable build` on
DuckDB. Then, each measured as a process tree (`tree_usage`: wall and CPU seconds, peak
memory; the JVMs, which pyspark does not wait for, adopted and reaped here so that their
CPU counts), the models alone on each engine from that build's raw layer:

- DuckDB: `dbt run --full-refresh` on a copy of the warehouse (profiles.yml's `dev` output);
- Spark: `python -m orchestration.spark_build`, which writes the raw layer as Parquet,
  registers it (`dbt run-operation`) and runs `dbt run --full-refresh` on the `spark` output
  (local[2]; one JVM per dbt command).

Then every staging, intermediate and mart table of both builds compared row for row
(`amicable.engine_compare`, as `amicable compare-engines --spark`). Writes
`benchmarks/results/spark_build_<size>[_<debtors>].md`.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from generate_scale import AS_OF
from record import record  # benchmarks/record.py: scripts run from this folder
from tree_usage import Usage, run_measured

from amicable.engine_compare import compare
from amicable.settings import DBT_PROJECT_DIR
from orchestration.dbt_assets import build_environment, dbt_executable
from orchestration.engines import duckdb_engine, spark_engine
from orchestration.spark_build import values_of

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans: pyspark's JVM outlives the
    dbt process that started it without being waited for, so its CPU would be in no rusage."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def reap_orphans() -> float:
    """Wait for every orphan adopted (adopt_orphans) to end; their CPU seconds."""
    cpu = 0.0
    while True:
        try:
            _pid, _status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            return cpu
        cpu += usage.ru_utime + usage.ru_stime


def measured(label: str, command: list[str], out: Path, env: dict[str, str]) -> Usage:
    shown = " ".join(command)
    print(f"{label}: {shown[:200]}{'...' if len(shown) > 200 else ''}", file=sys.stderr, flush=True)
    usage = run_measured(command, stdout=out, env=env)
    usage = replace(usage, cpu=usage.cpu + reap_orphans())
    if usage.status != 0:
        print(f"  {label} exited with {usage.status} ({out})", file=sys.stderr)
    print(f"  {usage.cpu:,.1f} CPU s, {usage.wall:,.1f} s", file=sys.stderr, flush=True)
    return usage


def sample_flags(args: argparse.Namespace) -> list[str]:
    """`amicable generate`'s and a report's command's flags for the sample: `--size`, and
    `--debtors` when given."""
    return ["--size", args.size, *(["--debtors", str(args.debtors)] if args.debtors else [])]


def sample_names(args: argparse.Namespace) -> tuple[str, str]:
    """The sample's name in a results file's name (`tiny`, `tiny_6000`) and in its title."""
    if not args.debtors:
        return args.size, f"`{args.size}` sample"
    return f"{args.size}_{args.debtors}", f"`{args.size}` sample scaled to {args.debtors:,} debtors"


def spark_bench_args(description: str, prefix: str) -> argparse.Namespace:
    """The Spark benchmarks' arguments (`--size`, `--debtors`, `--work`, a temporary folder
    named `prefix` by default), with this process made the reaper of the JVMs
    (adopt_orphans)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--debtors", type=int, help="scale the size to N debtors (generate's)")
    parser.add_argument("--work", type=Path, help="folder for the builds (default: a temp one)")
    args = parser.parse_args()
    if args.debtors is not None and args.debtors < 1:
        parser.error(f"--debtors {args.debtors}: give a number of debtors above 0")
    args.work = args.work or Path(tempfile.mkdtemp(prefix=prefix))
    adopt_orphans()
    return args


def main() -> None:
    args = spark_bench_args(__doc__.splitlines()[0], "amicable-spark-bench-")
    work = args.work
    landing, built = work / "landing", work / "wh" / "warehouse.duckdb"
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "0"}
    python = sys.executable
    cli = [python, "-m", "amicable.cli"]
    if not landing.exists():
        generate = [*cli, "generate", *sample_flags(args), "--seed", "7"]
        generate += ["--as-of", AS_OF.isoformat(), "--out", str(landing)]
        measured("generate", generate, work / "generate.txt", env)
    build = [*cli, "build", "--landing", str(landing), "--warehouse", str(built)]
    build += ["--as-of", AS_OF.isoformat()]
    measured("amicable build (DuckDB)", build, work / "build.txt", env)

    copy = work / "duckdb_models.duckdb"
    shutil.copyfile(built.resolve(), copy)
    config_vars, build_env = build_environment(values_of(built))
    duck = measured(
        "dbt run on DuckDB",
        [
            dbt_executable(),
            "run",
            "--full-refresh",
            "--vars",
            json.dumps(config_vars),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work / "duckdb_target"),
            "--log-path",
            str(work / "duckdb_logs"),
        ],  # fmt: skip
        work / "duckdb_run.txt",
        {**env, **build_env, "AMICABLE_WAREHOUSE": str(copy), "AMICABLE_DBT_TARGET": "dev"},
    )
    spark_dir = work / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    spark = measured(
        "Spark build",
        [python, "-m", "orchestration.spark_build", str(built), str(spark_dir)],
        work / "spark_run.txt",
        env,
    )
    results = compare(duckdb_engine(built), spark_engine(spark_dir))
    differing = {r.table: r.difference for r in results if not r.equal}
    identical = len(results) - len(differing)
    command = f"uv run python benchmarks/spark_build.py {' '.join(sample_flags(args))}"
    file_name, title = sample_names(args)
    lines = [
        f"# The models on Spark against DuckDB, {title}",
        "",
        f"`{command}` (seed 7, as of {AS_OF}); 2 shared cores, local[2], one run each.",
        "",
        "| engine | what ran | wall s | CPU s | peak MB |",
        "|---|---|---:|---:|---:|",
        f"| DuckDB | dbt run --full-refresh | {duck.wall:.1f} | {duck.cpu:.1f}"
        f" | {duck.peak_mb:.0f} |",
        f"| Spark | raw to Parquet, registered, dbt run --full-refresh | {spark.wall:.1f}"
        f" | {spark.cpu:.1f} | {spark.peak_mb:.0f} |",
        "",
        f"Exit status: DuckDB {duck.status}, Spark {spark.status}"
        f" ({(work / 'spark_run.txt').read_text().splitlines()[0]}).",
        "",
        f"Row for row: {identical} tables identical, {len(differing)} differ:",
        *(f"- {name}: {difference}" for name, difference in differing.items()),
    ]
    record(f"spark_build_{file_name}", lines)


if __name__ == "__main__":
    main()
