"""The raw suites of a daily build: CPU seconds validating the new rows only vs every row.

    uv run python benchmarks/raw_suites_daily.py --size demo
    uv run python benchmarks/raw_suites_daily.py --size large      # ~1M invoices (slow)

Generates the sample one file per source and night (seed 7, as of AS_OF) in a temporary folder
and sets the last night's files aside; loads the rest into `raw.*` (the real ingestion, one
batch: the first build) and runs every raw suite as that build's checks run them (every row is
new: all validated, every failure kept). Then loads the last night (the daily build's batch)
and measures, in the same process, the CPU seconds (`time.process_time`: every thread,
DuckDB's too) of every raw suite as the daily build runs it (the new rows, and for uniqueness
the older rows sharing their key values) against validating every row again (`full=True`, as
`--full-refresh` does and as every build did before), checking that both report the same
status, failing counts and failing keys. Writes `benchmarks/results/raw_suites_daily_<size>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from generate_scale import AS_OF
from record import record  # benchmarks/record.py: scripts run from this folder
from scale import bring_back, set_aside

from data_quality.runner import SuiteOutcome, _batch_definition, run_suite
from data_quality.suites import SUITES
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema, ingest_source
from sample_data import generator


def ingest(landing: Path, warehouse: Path, batch: str, loaded_at: datetime) -> None:
    """Load every new file of every source under `landing` as batch `batch`."""
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con, SOURCES)
        for source in SOURCES:
            ingest_source(con, landing, source, batch, loaded_at)


def night_copy(warehouse: Path, landing: Path, work: Path, batch: str) -> Path:
    """A copy of `warehouse` under `work` with the new files of `landing` loaded as `batch`."""
    night = work / "night.duckdb"
    shutil.copy(warehouse, night)
    ingest(landing, night, batch, datetime.now(UTC).replace(tzinfo=None))
    return night


def cpu(warehouse: Path, table: str, **options: object) -> tuple[float, SuiteOutcome]:
    """CPU seconds of one suite run as a build's check runs it (kept under `run_id`)."""
    started = time.process_time()
    outcome = run_suite(warehouse, table, SUITES[table](), **options)  # type: ignore[arg-type]
    return time.process_time() - started, outcome


def seen(outcome: SuiteOutcome) -> tuple:
    results = [(r.name, r.success, r.unexpected_count, r.failing_keys) for r in outcome.results]
    return outcome.row_count, outcome.success, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="demo", help="tiny, demo, large or xl")
    parser.add_argument("--debtors", type=int, default=None, help="a custom number of debtors")
    args = parser.parse_args()
    label = f"{args.size}_{args.debtors}_debtors" if args.debtors else args.size
    _batch_definition()  # GX's context, once per process, outside the measures
    rows: list[tuple[str, int, int, float, float, float, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        landing, aside, warehouse = Path(tmp) / "l", Path(tmp) / "aside", Path(tmp) / "w.duckdb"
        generator.generate(landing, args.size, 7, AS_OF, debtors=args.debtors, daily=True)
        files, size = set_aside(landing, aside, AS_OF)
        night = datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=3)
        ingest(landing, warehouse, "first", night - timedelta(days=1))
        first = {table: cpu(warehouse, table, run_id="first")[0] for table in SUITES}
        bring_back(aside, landing)
        ingest(landing, warehouse, "daily", night)
        for table in SUITES:
            daily, new = cpu(warehouse, table, run_id="daily")
            whole, everything = cpu(warehouse, table, run_id="daily-full", full=True)
            same = seen(new) == seen(everything)
            rows.append((table, new.row_count, new.rows_read, first[table], daily, whole, same))
    totals = [sum(r[i] for r in rows) for i in (3, 4, 5)]
    lines = [
        f"# Raw suites on a daily build: the new rows only vs every row (`{label}`)",
        "",
        "Command: `uv run python benchmarks/raw_suites_daily.py --size "
        + args.size
        + (f" --debtors {args.debtors}`" if args.debtors else "`"),
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; seed 7, one file per source and night, as of "
        f"{AS_OF}. CPU seconds of this process (`time.process_time`, every thread).",
        "",
        f"The first build loads every night before {AS_OF} and validates every row; the daily"
        f" build loads the last night ({files} files, {size / 2**20:.1f} MB). Its suites as"
        " they run now (new rows; failures kept) against validating every row again"
        " (`full=True`: `--full-refresh`, and what every build did before), both in this run.",
        "",
        "| suite | rows | rows read (daily) | first build CPU s | daily: new rows CPU s |"
        " daily: every row CPU s | new / every | same outcome |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        *[
            f"| `{t}` | {n:,} | {read:,} | {a:.2f} | {b:.2f} | {c:.2f} | {b / c:.0%} |"
            f" {'yes' if same else '**no**'} |"
            for t, n, read, a, b, c, same in rows
        ],
        f"| **all {len(rows)} raw suites** | {sum(r[1] for r in rows):,} |"
        f" {sum(r[2] for r in rows):,} | **{totals[0]:.2f}** | **{totals[1]:.2f}** |"
        f" **{totals[2]:.2f}** | **{totals[1] / totals[2]:.1%}** | |",
        "",
        f"Ratio measured in one run: the daily build's raw suites take {totals[1]:.2f} CPU s,"
        f" {totals[1] / totals[2]:.1%} of the {totals[2]:.2f} CPU s of validating every row.",
        "",
    ]
    record(f"raw_suites_daily_{label}", lines)


if __name__ == "__main__":
    main()
