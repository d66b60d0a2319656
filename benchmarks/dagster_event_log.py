"""What the way the build writes its Dagster history saves a daily build (orchestration.event_log).

    uv run python benchmarks/dagster_event_log.py [--runs 3] [--size tiny]

Generates a sample with daily files, sets the last night aside and builds the rest (the full
build), keeps a copy of that warehouse with its Dagster instance, brings the night back, then
runs the daily build `--runs` times in each mode, the modes alternating, each time on a fresh
copy of the kept state: `as shipped`; `an engine per event` (Dagster's event log as it comes,
creating and disposing of an SQLAlchemy engine for every event: the build's
`history_connections_reused` replaced by a no-op); `fsync` (Dagster's default SQLite writes:
the build's `write_history_without_fsync` replaced by a no-op). Records the median wall and CPU
seconds of the process tree (dbt included) per mode and their ratios, measured in one run, in
`results/dagster_event_log_<size>.md`.
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

# The build with one of its history hooks replaced by a no-op before the CLI runs.
WITHOUT = (
    "import contextlib, sys, orchestration.build as build; "
    "build.{hook} = {no_op}; "
    "from amicable.cli import main; sys.exit(main(sys.argv[1:]))"
)
PER_EVENT = WITHOUT.format(hook="history_connections_reused", no_op="contextlib.nullcontext")
WITH_FSYNC = WITHOUT.format(hook="write_history_without_fsync", no_op="lambda: None")
SHIPPED = "as shipped"
MODES = {
    SHIPPED: CLI,
    "an engine per event": [sys.executable, "-c", PER_EVENT],
    "fsync": [sys.executable, "-c", WITH_FSYNC],
}


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
        "# The daily build's Dagster history: engines reused, fsync off, and without either",
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
        "fresh copy of the same warehouse and Dagster instance. `as shipped`: "
        "`orchestration.event_log` (`PRAGMA synchronous=OFF`, one engine per SQLite file while "
        "the build runs); `an engine per event`: Dagster's event log creating and disposing of "
        "an engine for every event; `fsync`: every commit and every close waits for the disk.",
        "",
        "| mode | median wall s | median CPU s (process tree) | runs (wall s) |",
        "|---|---:|---:|---|",
    ]
    for mode, runs in spent.items():
        each = ", ".join(f"{u.wall:.1f}" for u in runs)
        lines.append(f"| {mode} | {wall[mode]:.1f} | {cpu[mode]:.1f} | {each} |")
    lines.append("")
    for mode in MODES:
        if mode != SHIPPED:
            lines.append(
                f"As shipped, the daily build takes {wall[SHIPPED] / wall[mode]:.0%} of the wall "
                f"time and {cpu[SHIPPED] / cpu[mode]:.0%} of the CPU time it takes with {mode}."
            )
    lines.append("")
    record(f"dagster_event_log_{args.size}", lines)


if __name__ == "__main__":
    main()
