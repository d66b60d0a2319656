"""The JSON Lines reader against another commit's, on a landing zone's files: CPU seconds and
the same rows.

    uv run python benchmarks/jsonl_reader.py --landing DIR [--base main] [--runs 3] [--files 20]

For each JSON Lines source (case events, cases, agents, messages), the `--files` largest files
of DIR are read by `ingestion.readers.read_file` of this checkout and of `--base` (its
`ingestion/readers.py`, by `git show`), alternately, `--runs` times; each reader's median CPU
seconds (this process: the reader is single-threaded Python and polars) and their ratio. Every
file's rows, unparsed lines and rejection must be equal between the two, or the script stops.
Writes `benchmarks/results/jsonl_reader.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from base_module import git, module_at  # benchmarks/: scripts run from this folder
from record import record

from ingestion import readers
from ingestion.contracts import SOURCES
from ingestion.landing import source_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--base", default="main")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    head = git("rev-parse", "--short", "HEAD")
    with tempfile.TemporaryDirectory() as tmp:
        base = module_at(args.base, "ingestion/readers.py", Path(tmp))
        rows = [
            "| source | files | rows | base CPU s | this CPU s | this / base |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        totals = [0.0, 0.0]
        for source in SOURCES:
            if source.fmt != "jsonl":
                continue
            entries = [
                e for e in source_files(args.landing, source) if e.fmt == "jsonl" and not e.problem
            ]
            entries.sort(key=lambda e: e.path.stat().st_size, reverse=True)
            paths = [e.path for e in entries[: args.files]]
            if not paths:
                continue
            count = 0
            for path in paths:  # the same rows from both, or stop
                mine, theirs = readers.read_file(path, source), base.read_file(path, source)
                same = (
                    mine.rows.equals(theirs.rows)
                    and mine.unparsed == theirs.unparsed
                    and mine.rejected == theirs.rejected
                )
                if not same:
                    sys.exit(f"{path}: the two readers differ")
                count += mine.rows_read
            cpu: dict[str, list[float]] = {"base": [], "this": []}
            for _ in range(args.runs):
                for name, module in (("base", base), ("this", readers)):
                    start = time.process_time()
                    for path in paths:
                        module.read_file(path, source)
                    cpu[name].append(time.process_time() - start)
            b, t = statistics.median(cpu["base"]), statistics.median(cpu["this"])
            totals[0] += b
            totals[1] += t
            rows.append(
                f"| {source.name} | {len(paths)} | {count:,} | {b:.2f} | {t:.2f} | {t / b:.2f} |"
            )
        rows.append(
            f"| **all** | | | {totals[0]:.2f} | {totals[1]:.2f} | {totals[1] / totals[0]:.2f} |"
        )
    lines = [
        "# The JSON Lines reader: this checkout against a base commit",
        "",
        f"Command: `uv run python benchmarks/jsonl_reader.py --landing DIR --base {args.base}"
        f" --runs {args.runs} --files {args.files}` (this checkout: {head})",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}; "
        f"load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared "
        "machine: read the ratios)",
        "",
        "Median CPU seconds of this process over the runs (the readers alternate), reading the "
        "largest files of each JSON Lines source; every file's rows, unparsed lines and "
        "rejection were equal between the two readers.",
        "",
        *rows,
        "",
    ]
    record("jsonl_reader", lines)


if __name__ == "__main__":
    main()
