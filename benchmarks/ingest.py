"""Time ingestion alone (read + validate + load into DuckDB), per source table.

    uv run python benchmarks/ingest.py [--size demo] [--runs 3]

Generates the sample once (seed 7, fixed as-of), then ingests it `--runs` times into fresh
warehouses, reporting the median seconds and rows per second per source table. Writes
`benchmarks/results/ingest_<size>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder

from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema, ingest_source
from sample_data import generate

AS_OF = date(2026, 11, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    seconds: dict[str, list[float]] = defaultdict(list)
    rows: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        generate(landing, size=args.size, seed=7, as_of=AS_OF)
        for run in range(args.runs):
            with duckdb.connect(str(Path(tmp) / f"w{run}.duckdb")) as con:
                ensure_raw_schema(con, SOURCES)
                for source in SOURCES:
                    start = time.perf_counter()
                    report = ingest_source(con, landing, source, f"bench{run}", datetime.now())
                    seconds[source.name].append(time.perf_counter() - start)
                    rows[source.name] = report.rows_read
    lines = [
        f"# Ingestion benchmark: size `{args.size}`",
        "",
        f"Command: `uv run python benchmarks/ingest.py --size {args.size} --runs {args.runs}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}",
        "",
        "| source | rows read | median s | rows/s |",
        "|---|---|---|---|",
    ]
    for name, times in seconds.items():
        median = statistics.median(times)
        lines.append(f"| {name} | {rows[name]} | {median:.2f} | {rows[name] / median:,.0f} |")
    total = sum(statistics.median(t) for t in seconds.values())
    lines += ["", f"Total (sum of medians): {total:.1f} s for {sum(rows.values()):,} rows", ""]
    record(f"ingest_{args.size}", lines)


if __name__ == "__main__":
    main()
