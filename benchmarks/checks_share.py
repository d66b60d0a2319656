"""Measure the data-quality checks' share of a whole build's run time, at a chosen size.

    uv run python benchmarks/checks_share.py --debtors 11800     # ~110k invoices
    uv run python benchmarks/checks_share.py --size large        # ~1M invoices (slow)

Generates a landing zone (seed 7, as of AS_OF) in a temporary folder, runs the real build
in-process (`orchestration.build.run_build`, the code behind `amicable build`) and reads the
duration of every step from the run's event log: ingestion assets, the dbt step (models and
dbt's own tests, split by dbt's run_results.json) and every data-quality check step (GX suites,
SQL checks, volume, freshness, distribution). Steps run one after another in-process, so the
step times add up to the build. Writes `benchmarks/results/checks_share_<label>.md`.
`--debtors N` makes a size of N debtors (the generator's sizes are tiny 40, demo 480,
large 118,000 debtors).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder

from amicable.settings import DBT_PROJECT_DIR, Settings
from ingestion.contracts import SOURCES
from orchestration.build import run_build
from sample_data import generator

AS_OF = date(2026, 11, 20)
INGESTION_STEPS = {f"raw__{s.name}" for s in SOURCES}
DBT_STEP = "dbt_models"


def _size(args: argparse.Namespace) -> tuple[str, str]:
    """The generator size to use and the label of the result file."""
    if args.debtors:
        name = f"{args.debtors}_debtors"
        agents = max(6, args.debtors // 1180)  # the large size's ratio (100 per 118,000)
        generator.SIZES[name] = generator.Size(debtors=args.debtors, agents_per_team=agents)
        return name, name
    return args.size, args.size


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from each step's start to its success or failure, from the event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or entry.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[entry.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds[entry.step_key] = entry.timestamp - started[entry.step_key]
    return seconds


def dbt_node_seconds() -> dict[str, float]:
    """dbt's own time per kind of node (model, test...) from the newest run_results.json."""
    newest = max((DBT_PROJECT_DIR / "target").rglob("run_results.json"), key=os.path.getmtime)
    totals: dict[str, float] = defaultdict(float)
    for result in json.loads(newest.read_text())["results"]:
        totals[result["unique_id"].split(".")[0]] += result["execution_time"]
    return dict(totals)


def _rows(warehouse: Path) -> list[tuple[str, int]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select source_table, sum(rows_loaded) from raw._loads group by all order by 1"
        ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo", help="tiny, demo or large")
    parser.add_argument("--debtors", type=int, default=0, help="a custom size: N debtors")
    args = parser.parse_args()
    size, label = _size(args)
    with tempfile.TemporaryDirectory() as tmp:
        landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse.duckdb"
        started = time.perf_counter()
        generator.generate(landing, size=size, seed=7, as_of=AS_OF)
        generate_s = time.perf_counter() - started
        instance = dg.DagsterInstance.ephemeral()
        started = time.perf_counter()
        outcome = run_build(Settings(landing, warehouse, as_of=AS_OF), instance=instance)
        build_s = time.perf_counter() - started
        [run] = instance.get_runs()
        steps = step_seconds(instance, run.run_id)
        rows = _rows(warehouse)
    nodes = dbt_node_seconds()
    ingestion = sum(s for k, s in steps.items() if k in INGESTION_STEPS)
    dbt = steps.get(DBT_STEP, 0.0)
    checks = {k: s for k, s in steps.items() if k not in INGESTION_STEPS and k != DBT_STEP}
    total_checks = sum(checks.values())
    dbt_tests = dbt * nodes.get("test", 0.0) / max(sum(nodes.values()), 1e-9)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [
        f"# Data-quality checks' share of a build: `{label}`",
        "",
        "Command: `uv run python benchmarks/checks_share.py "
        + (f"--debtors {args.debtors}`" if args.debtors else f"--size {args.size}`"),
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; seed 7, as of {AS_OF}; build ok: {outcome.ok}",
        "",
        f"Generate {generate_s:.0f} s (not part of the build). Build {build_s:.0f} s wall, "
        f"peak memory of the build process {peak_mb:.0f} MB (dbt runs in a subprocess).",
        "",
        "| part of the build | seconds | share of the build |",
        "|---|---:|---:|",
        f"| ingestion (10 assets) | {ingestion:.1f} | {ingestion / build_s:.0%} |",
        f"| dbt step (models and dbt tests) | {dbt:.1f} | {dbt / build_s:.0%} |",
        f"| of which dbt tests (by dbt's node times) | ~{dbt_tests:.1f} | "
        f"~{dbt_tests / build_s:.0%} |",
        f"| **data-quality checks ({len(checks)} steps)** | **{total_checks:.1f}** | "
        f"**{total_checks / build_s:.0%}** |",
        f"| other (start-up, definitions, report) | "
        f"{build_s - ingestion - dbt - total_checks:.1f} | "
        f"{(build_s - ingestion - dbt - total_checks) / build_s:.0%} |",
        "",
        "Slowest check steps:",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {k} | {s:.2f} |" for k, s in sorted(checks.items(), key=lambda i: -i[1])[:12]],
        "",
        "Rows loaded per source: "
        + ", ".join(f"{table} {n:,}" for table, n in rows)
        + f" (total {sum(n for _, n in rows):,}).",
        "",
    ]
    record(f"checks_share_{label}", lines)


if __name__ == "__main__":
    main()
