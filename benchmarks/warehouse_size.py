"""Measure the warehouse's files over consecutive daily builds and record them.

    uv run python benchmarks/warehouse_size.py [--builds 10] [--size demo] [--keep DIR]

Generates a sample landing zone in a temporary folder (`amicable generate --daily`: one file
per source and night) up to the last build's night, sets the nights after the first aside, and
runs `amicable build` `--builds` times into one warehouse through the real CLI: the first
build takes every night up to the first as-of date (a full build), each next one brings its
own night's files back and builds as of that night (a daily build). After each build it
records the slot the build wrote (`orchestration.publish`), each slot's file size, and the
written slot's blocks (`pragma database_size`: in use and free; DuckDB reuses free blocks but
never shrinks a file). Writes `benchmarks/results/warehouse_size_<size>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder
from scale import bring_back, set_aside

from orchestration.publish import published_slot, slot_paths

FIRST_AS_OF = date(2026, 11, 20)  # fixed, so runs on different days measure the same data
MB = 1024 * 1024


@dataclass(frozen=True)
class Day:
    as_of: date
    seconds: float
    status: int
    slot: str
    sizes: tuple[int, int]  # bytes of slot a, slot b (0: absent)
    used_blocks: int
    free_blocks: int
    block_size: int


def _blocks(database: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        used, free, size = con.execute(
            "select used_blocks, free_blocks, block_size from pragma_database_size()"
        ).fetchone()
    return used, free, size


def _build(cli: list[str], landing: Path, warehouse: Path, as_of: date) -> Day:
    command = cli + ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    command += ["--as-of", as_of.isoformat()]
    start = time.perf_counter()
    status = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode
    seconds = time.perf_counter() - start
    slot = published_slot(warehouse) if status == 0 else None
    written = slot or next(s for s in slot_paths(warehouse) if s != published_slot(warehouse))
    sizes = tuple(s.stat().st_size if s.exists() else 0 for s in slot_paths(warehouse))
    return Day(as_of, seconds, status, written.name[-1], sizes, *_blocks(written))  # type: ignore[arg-type]


def _row(number: int, day: Day) -> str:
    a, b = (f"{size / MB:.1f}" if size else "-" for size in day.sizes)
    used, free = day.used_blocks * day.block_size, day.free_blocks * day.block_size
    share = day.free_blocks / (day.used_blocks + day.free_blocks)
    return (
        f"| {number} | {day.as_of} | {day.status} | {day.seconds:.0f} | {day.slot} | {a} | {b} "
        f"| {used / MB:.1f} | {free / MB:.1f} | {share:.0%} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=10)
    parser.add_argument("--size", default="demo")
    parser.add_argument("--keep", type=Path, default=None, help="build here and keep the files")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "amicable.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        landing, warehouse = root / "landing", root / "warehouse.duckdb"
        nights = [FIRST_AS_OF + timedelta(days=number) for number in range(args.builds)]
        generate = cli + ["generate", "--size", args.size, "--seed", "7", "--out", str(landing)]
        subprocess.run(generate + ["--daily", "--as-of", nights[-1].isoformat()], check=True)
        for night in nights[1:]:
            set_aside(landing, root / "aside" / night.isoformat(), night)
        days = []
        for number, night in enumerate(nights, 1):
            bring_back(root / "aside" / night.isoformat(), landing)
            days.append(_build(cli, landing, warehouse, night))
            print(_row(number, days[-1]), flush=True)
    lines = [
        f"# Warehouse size over {args.builds} daily builds: size `{args.size}`",
        "",
        f"Command: `uv run python benchmarks/warehouse_size.py --builds {args.builds} "
        f"--size {args.size}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}",
        "",
        f"One landing zone of nightly files (`amicable generate --daily`, seed 7, up to "
        f"{nights[-1]}), the nights after {FIRST_AS_OF} set aside; then one `amicable build` "
        f"a day into one warehouse: the first, as of {FIRST_AS_OF}, a full build of every "
        "night up to it; each next one brings its night's files back and builds as of it (a "
        "daily build: incremental, what the night touches). Sizes in MiB; used and free: the "
        "blocks of the slot the build wrote, after it; the build publishes by alternating "
        "two slots (`orchestration.publish`).",
        "",
        "| build | as of | exit | seconds | slot written | slot a | slot b | used | free "
        "| free share |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[_row(number, day) for number, day in enumerate(days, 1)],
        "",
    ]
    record(f"warehouse_size_{args.size}", lines)


if __name__ == "__main__":
    main()
