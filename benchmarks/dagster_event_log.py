"""What writing the Dagster history without fsync saves a daily build (orchestration.event_log).

    uv run python benchmarks/dagster_event_log.py [--runs 3] [--size tiny]

Generates a sample with daily files, sets the last night aside and builds the rest (the full
build), keeps a copy of that warehouse with its Dagster instance, brings the night back, then
runs the daily build `--runs` times in each mode, the modes alternating, each time on a fresh
copy of the kept state: `fsync` (Dagster's default SQLite writes: the build's
`write_history_without_fsync` replaced by a no-op) and `no fsync` (the build as shipped).
Records the median wall and CPU seconds of the process tree (dbt included) per mode and their
ratio, measured in one run, in `results/dagster_event_log_<size>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from generate_scale import AS_OF
from record import record
from scale import CLI, bring_back, set_aside
from tree_usage import Usage, run_measured

# The build with Dagster's default SQLite writes: the hook replaced before the CLI runs.
WITH_FSYNC = (
    "import sys, orchestration.build as build; "
    "build.write_history_without_fsync = lambda: None; "
    "from amicable.cli import main; sys.exit(main(sys.argv[1:]))"
)
MODES = {"fsync": [sys.executable, "-c", WITH_FSYNC], "no fsync": CLI}


def _checked(usage: Usage, what: str) -> Usage:
    if usage.status != 0:
        tail = "\n".join(mark.line for mark in usage.marks[-10:])
        raise SystemExit(f"{what} exited with {usage.status}:\n{tail}")
    return usage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="tiny")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dagster_event_log_"))
    landing, aside, kept = work / "landing", work / "aside", work / "kept"
    generate = [*CLI, "generate", "--size", args.size, "--seed", "7", "--daily"]
    generate += ["--as-of", AS_OF.isoformat(), "--out", str(landing)]
    _checked(run_measured(generate), "generate")
    set_aside(landing, aside, AS_OF)
    eve = (AS_OF - timedelta(days=1)).isoformat()
    build = [
        "build", "--landing", str(landing), "--warehouse", str(kept / "warehouse.duckdb"),
    ]  # fmt: skip
    print("full build", file=sys.stderr, flush=True)
    _checked(run_measured([*CLI, *build, "--as-of", eve]), "full build")
    bring_back(aside, landing)
    spent: dict[str, list[Usage]] = {mode: [] for mode in MODES}
    for run in range(args.runs):
        for mode, command in MODES.items():
            state = work / "state"
            shutil.rmtree(state, ignore_errors=True)
            shutil.copytree(kept, state, symlinks=True)
            daily = [
                "build", "--landing", str(landing), "--warehouse",
                str(state / "warehouse.duckdb"), "--as-of", AS_OF.isoformat(),
            ]  # fmt: skip
            print(f"daily build {run + 1}/{args.runs}, {mode}", file=sys.stderr, flush=True)
            spent[mode].append(_checked(run_measured([*command, *daily]), f"daily ({mode})"))
    shutil.rmtree(work, ignore_errors=True)
    wall = {mode: statistics.median(u.wall for u in runs) for mode, runs in spent.items()}
    cpu = {mode: statistics.median(u.cpu for u in runs) for mode, runs in spent.items()}
    lines = [
        "# The daily build's Dagster history written with and without fsync",
        "",
        f"Command: `uv run python benchmarks/dagster_event_log.py --runs {args.runs} "
        f"--size {args.size}`",
        f"Date: {date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: compare the "
        "modes, measured alternately in one run, not the absolute seconds).",
        "",
        f"The daily build of {AS_OF.isoformat()} on the full build of every night before, "
        f"`{args.size}` sample (seed 7), {args.runs} runs per mode, modes alternating, each on a "
        "fresh copy of the same warehouse and Dagster instance. `fsync`: Dagster's SQLite "
        "storage as it comes (every commit and every close waits for the disk); `no fsync`: "
        "the build as shipped (`orchestration.event_log`, `PRAGMA synchronous=OFF`).",
        "",
        "| mode | median wall s | median CPU s (process tree) | runs (wall s) |",
        "|---|---:|---:|---|",
    ]
    for mode, runs in spent.items():
        each = ", ".join(f"{u.wall:.1f}" for u in runs)
        lines.append(f"| {mode} | {wall[mode]:.1f} | {cpu[mode]:.1f} | {each} |")
    lines += [
        "",
        f"Without fsync the daily build takes {wall['no fsync'] / wall['fsync']:.0%} of the "
        f"wall time and {cpu['no fsync'] / cpu['fsync']:.0%} of the CPU time it takes with it.",
        "",
    ]
    record(f"dagster_event_log_{args.size}", lines)


if __name__ == "__main__":
    main()
