"""Time the demo build (generate + ingest + dbt + checks) and record it.

    uv run python benchmarks/build_demo.py [--runs 3] [--size demo]

Each run generates a fresh landing zone and builds a fresh warehouse in a temporary folder
through the real CLI (`amicable generate`, `amicable build`), timed end to end. Writes the
median and every run's timings, plus rows read / loaded / quarantined per source (from the
warehouse's `raw._loads`), to `benchmarks/results/build_<size>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder

AS_OF = "2026-11-20"  # fixed, so runs on different days measure the same data


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _counts(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select source_table, sum(rows_read), sum(rows_loaded), sum(rows_quarantined),"
            " count(*) filter (where status = 'rejected') from raw._loads"
            " group by all order by source_table"
        ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="demo")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "amicable.cli"]
    runs: list[tuple[float, float]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse.duckdb"
            generate = cli + ["generate", "--size", args.size, "--seed", "7"]
            generate += ["--out", str(landing), "--as-of", AS_OF]
            build = cli + ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
            build += ["--as-of", AS_OF]
            runs.append((_timed(generate), _timed(build)))
            counts = _counts(warehouse)
    totals = [g + b for g, b in runs]
    lines = [
        f"# Build benchmark: size `{args.size}`",
        "",
        f"Command: `uv run python benchmarks/build_demo.py --runs {args.runs} --size {args.size}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}",
        "",
        f"**Median generate + build: {statistics.median(totals):.1f} s** "
        f"(generate {statistics.median(g for g, _ in runs):.1f} s, "
        f"build {statistics.median(b for _, b in runs):.1f} s; {args.runs} runs)",
        "",
        "| run | generate (s) | build (s) | total (s) |",
        "|---|---|---|---|",
        *[f"| {i} | {g:.1f} | {b:.1f} | {g + b:.1f} |" for i, (g, b) in enumerate(runs, 1)],
        "",
        "Rows per source (last run):",
        "",
        "| source | read | loaded | quarantined | files rejected |",
        "|---|---|---|---|---|",
        *[f"| {t} | {r} | {lo} | {q} | {rej} |" for t, r, lo, q, rej in counts],
        "",
    ]
    record(f"build_{args.size}", lines)


if __name__ == "__main__":
    main()
