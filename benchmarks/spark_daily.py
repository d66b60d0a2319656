"""What a daily build costs on Spark against its full build (issue 16), DuckDB's beside it.

    uv run --extra spark python benchmarks/spark_daily.py [--size tiny] [--debtors N] [--work DIR]

Generates the sample one file per source and night (`amicable generate --daily`, seed 7, as of
AS_OF) and sets the last night's files aside; builds the rest through the CLI on Spark
(`amicable build --warehouse spark:DIR --as-of AS_OF-1`: the full build) and on DuckDB; brings
the night back and builds AS_OF on both (the daily build: incremental). Each build is measured
as a process tree (`tree_usage`; pyspark's JVM, which dbt does not wait for, adopted and reaped
so that its CPU counts). The models' seconds come from each Spark build's dbt log. Then every
staging, intermediate and mart table of the two warehouses compared row for row
(`amicable.engine_compare`). Writes `benchmarks/results/spark_daily_<size>[_<debtors>].md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

from generate_scale import AS_OF
from record import record  # benchmarks/record.py: scripts run from this folder
from scale import bring_back, set_aside
from spark_build import measured, sample_flags, sample_names, spark_bench_args
from tree_usage import Usage

from amicable.engine_compare import compare
from orchestration.engines import duckdb_engine, spark_engine

CLI = [sys.executable, "-m", "amicable.cli"]
EVE = AS_OF - timedelta(days=1)
# dbt's line for a model built:
# "12 of 69 OK created sql incremental model marts.x ...... [OK in 2.15s]"
MODEL_LINE = re.compile(r"OK created sql (\w+) model \w+\.(\w+) .*in (\d+\.\d+)s\]")
TOP = 12
# A Spark build's progress lines around its dbt models (printed as each step starts; the tree's
# CPU seconds are sampled as each line arrives).
MODELS_PHASE = ("dbt on Spark: building the models", "dbt on Spark: running the data tests")


def model_seconds(log: Path) -> dict[str, tuple[str, float]]:
    """Each model of a dbt log: its materialization and seconds."""
    found = MODEL_LINE.finditer(log.read_text(encoding="utf-8", errors="replace"))
    return {m[2]: (m[1], float(m[3])) for m in found}


def span(usage: Usage, start: str, end: str) -> tuple[float, float] | None:
    """Wall and CPU seconds from the progress line holding `start` to the one holding `end`
    (or the end of the run): a phase of the build (the CPU of its living processes only)."""
    first = next((m for m in usage.marks if start in m.line), None)
    if first is None:
        return None
    last = next((m for m in usage.marks if end in m.line and m.wall >= first.wall), None)
    if last is None:
        return usage.wall - first.wall, usage.cpu - first.cpu
    return last.wall - first.wall, last.cpu - first.cpu


def build(label: str, landing: Path, warehouse: str, as_of: date, work: Path, env: dict) -> Usage:
    command = [*CLI, "build", "--landing", str(landing), "--warehouse", warehouse]
    command += ["--as-of", as_of.isoformat()]
    return measured(label, command, work / f"{label.replace(' ', '_')}.txt", env)


def main() -> None:
    args = spark_bench_args(__doc__.splitlines()[0], "amicable-spark-daily-")
    work = args.work
    landing, aside = work / "landing", work / "last_night"
    spark_dir, duck = work / "spark", work / "duckdb" / "warehouse.duckdb"
    if work.exists() and any(work.iterdir()):
        raise SystemExit(f"--work {work}: not empty (each run generates and builds afresh)")
    duck.parent.mkdir(parents=True)
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "0", "AMICABLE_HOME": str(work)}
    generate = [*CLI, "generate", *sample_flags(args), "--seed", "7", "--daily"]
    generate += ["--as-of", AS_OF.isoformat(), "--out", str(landing)]
    measured("generate", generate, work / "generate.txt", env)
    night_files, night_bytes = set_aside(landing, aside, AS_OF)

    runs: dict[str, Usage] = {}
    models: dict[str, dict[str, tuple[str, float]]] = {}
    for kind, as_of in (("full", EVE), ("daily", AS_OF)):
        if kind == "daily":
            bring_back(aside, landing)
        spark = f"spark:{spark_dir}"
        runs[f"Spark {kind}"] = build(f"Spark {kind}", landing, spark, as_of, work, env)
        models[kind] = model_seconds(spark_dir / "last_build.log")
        shutil.copyfile(spark_dir / "last_build.log", work / f"spark_{kind}_dbt.log")
        runs[f"DuckDB {kind}"] = build(f"DuckDB {kind}", landing, str(duck), as_of, work, env)
    results = compare(duckdb_engine(duck), spark_engine(spark_dir))
    differing = {r.table: r.difference for r in results if not r.equal}
    record(
        f"spark_daily_{sample_names(args)[0]}",
        report(args, runs, models, night_files, night_bytes)
        + [
            "",
            f"After the daily builds, row for row: {len(results) - len(differing)} tables"
            f" identical, {len(differing)} differ.",
            *(f"- {name}: {difference}" for name, difference in differing.items()),
        ],
    )


def report(
    args: argparse.Namespace,
    runs: dict[str, Usage],
    models: dict[str, dict[str, tuple[str, float]]],
    night_files: int,
    night_bytes: int,
) -> list[str]:
    full, daily = models["full"], models["daily"]
    flags = " ".join(sample_flags(args))
    lines = [
        f"# A daily build on Spark against its full build, {sample_names(args)[1]}",
        "",
        f"Command: `uv run --extra spark python benchmarks/spark_daily.py {flags}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()},"
        f" Python {platform.python_version()}; load average at the end"
        f" {', '.join(f'{n:.1f}' for n in os.getloadavg())}.",
        f"Sample: seed 7, one file per source and night, as of {AS_OF}; the full build as of"
        f" {EVE}, then the daily build of the last night ({night_files} files,"
        f" {night_bytes / 1024:,.1f} KB) on the same warehouse. 2 shared cores, Spark local[2];"
        " one run each (CPU seconds: the process tree, JVMs included).",
        "",
        "| build | exit | wall s | CPU s | peak MB | daily / full (CPU) | Spark's dbt run:"
        " wall s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, usage in runs.items():
        engine, kind = name.split()
        share = ""
        if kind == "daily":
            share = f"{usage.cpu / runs[f'{engine} full'].cpu:.0%}"
        phase = span(usage, *MODELS_PHASE) if engine == "Spark" else None
        # its wall seconds only: dbt does not wait for the JVM, so the tree's CPU between the
        # lines leaves it out (the build's total has it: adopt_orphans)
        models_cell = f"{phase[0]:.1f}" if phase else ""
        lines.append(
            f"| {name} | {usage.status} | {usage.wall:.1f} | {usage.cpu:.1f}"
            f" | {usage.peak_mb:,.0f} | {share} | {models_cell} |"
        )
    lines += [
        "",
        f"Spark's models, from each build's dbt log: {sum(s for _, s in full.values()):.1f} s"
        f" for {len(full)} models in the full build, {sum(s for _, s in daily.values()):.1f} s"
        f" for {len(daily)} in the daily one. The {TOP} slowest of the daily build:",
        "",
        "| model | materialization | full s | daily s |",
        "|---|---|---:|---:|",
    ]
    slowest = sorted(daily.items(), key=lambda item: -item[1][1])[:TOP]
    for name, (kind, seconds) in slowest:
        held = full.get(name, ("", float("nan")))[1]
        lines.append(f"| `{name}` | {kind} | {held:.2f} | {seconds:.2f} |")
    return lines


if __name__ == "__main__":
    main()
