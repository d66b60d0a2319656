"""camt.053 reading: the lxml column reader against the standard library's, CPU-seconds.

    uv run python benchmarks/camt.py --bank /tmp/camt/large/bank [--runs 3] [--name large]

For the `*.xml` files of a folder (the `bank/` folder of a generated sample, e.g.
`uv run amicable generate --size large --seed 7 --out /tmp/camt/large --as-of 2026-11-20`):
first checks that both readers give identical rows (same values, same order, same rejection),
then times, `--runs` times and interleaved (old, new, old, new...), three steps per reader:
parsing alone, `read_camt053` (parsing and the string frame) and the whole bank ingestion
(`ingest_source`: read, validate, load into a fresh in-memory DuckDB). CPU-seconds of this
process (user + system, `resource.getrusage`), medians. Writes `benchmarks/results/camt_<name>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from unittest import mock

import duckdb
import polars as pl
from record import record  # benchmarks/record.py: scripts run from this folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the reference lives in tests/

from ingestion import readers  # noqa: E402
from ingestion.camt053 import FIELDS, CamtError, read_columns  # noqa: E402
from ingestion.contracts import SOURCES, SOURCES_BY_NAME  # noqa: E402
from ingestion.load import ensure_raw_schema, ingest_source  # noqa: E402
from tests.ingestion.camt_reference import iter_entries  # noqa: E402

BANK = SOURCES_BY_NAME["bank_entries"]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def old_rows(path: Path) -> list[tuple] | str:
    try:
        return [tuple(entry[f] for f in FIELDS) for entry in iter_entries(path)]
    except CamtError as exc:
        return str(exc)


def new_rows(path: Path) -> list[tuple] | str:
    try:
        return list(zip(*read_columns(path).values(), strict=True))
    except CamtError as exc:
        return str(exc)


def old_read_camt053(path: Path, source: object) -> readers.FileContent:
    """`read_camt053` as it was: one dict per entry, then the string frame."""
    try:
        records = [entry | {"_source_row": n} for n, entry in enumerate(iter_entries(path), 1)]
    except CamtError as exc:
        return readers.FileContent(readers.string_frame([], BANK), rejected=f"file rejected: {exc}")
    return readers.FileContent(readers.string_frame(records, BANK))


def landing_of(bank: Path) -> Path:
    if bank.name != "bank":
        sys.exit(f"{bank} is not a landing zone's bank/ folder")
    return bank.parent


def ingest(landing: Path, old: bool) -> None:
    con = duckdb.connect()
    ensure_raw_schema(con, SOURCES)
    if old:
        with mock.patch.object(readers, "read_camt053", old_read_camt053):
            ingest_source(con, landing, BANK, "old", datetime(2026, 1, 1))
    else:
        ingest_source(con, landing, BANK, "new", datetime(2026, 1, 1))
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bank", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--name", default=None, help="results/camt_<name>.md (default: sample)")
    args = parser.parse_args()
    files = sorted(args.bank.glob("*.xml"))
    name = args.name or args.bank.parent.name
    start = cpu()
    unequal = [p.name for p in files if old_rows(p) != new_rows(p)]
    equality_cpu = cpu() - start
    entries = sum(len(r) for r in map(new_rows, files) if isinstance(r, list))
    if unequal:
        sys.exit(f"readers differ on {len(unequal)} file(s): {unequal[:5]}")
    old_frames = [old_read_camt053(p, BANK).rows for p in files]
    new_frames = [readers.read_camt053(p, BANK).rows for p in files]
    frames_equal = all(a.equals(b) for a, b in zip(old_frames, new_frames, strict=True))
    if not frames_equal:
        sys.exit("read_camt053 frames differ")
    del old_frames, new_frames
    landing = landing_of(args.bank)
    steps: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "parse (rows, no frame)": (
            lambda: [old_rows(p) for p in files],
            lambda: [new_rows(p) for p in files],
        ),
        "read_camt053 (frame)": (
            lambda: [old_read_camt053(p, BANK) for p in files],
            lambda: [readers.read_camt053(p, BANK) for p in files],
        ),
        "ingest_source (read, validate, load)": (
            lambda: ingest(landing, old=True),
            lambda: ingest(landing, old=False),
        ),
    }
    seconds: dict[str, dict[str, list[float]]] = {s: {"old": [], "new": []} for s in steps}
    for _ in range(args.runs):
        for step, (old, new) in steps.items():
            for label, fn in (("old", old), ("new", new)):
                start = cpu()
                fn()
                seconds[step][label].append(cpu() - start)
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    command = f"uv run python benchmarks/camt.py --bank {args.bank} --runs {args.runs}"
    if args.name:
        command += f" --name {args.name}"
    lines = [
        f"# camt.053 reading: `{name}` bank files, standard library (old) vs lxml columns (new)",
        "",
        f"Command: `{command}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}; "
        f"polars {pl.__version__}",
        f"Files: {len(files)} statements, {size_mb:,.0f} MB, {entries:,} entries. "
        f"Rows identical, old vs new, in every file (checked first, {equality_cpu:.0f} CPU-s); "
        "the `read_camt053` frames too.",
        "",
        f"CPU-seconds of this process (user + system), median of {args.runs} interleaved runs:",
        "",
        "| step | old s | new s | old / new | new µs per entry |",
        "|---|---|---|---|---|",
    ]
    for step, by in seconds.items():
        old, new = statistics.median(by["old"]), statistics.median(by["new"])
        per_entry = new / entries * 1e6 if entries else 0
        lines.append(f"| {step} | {old:.2f} | {new:.2f} | {old / new:.1f} | {per_entry:.1f} |")
    lines.append("")
    record(f"camt_{name}", lines)


if __name__ == "__main__":
    main()
