"""Time the case-file query (`dashboards.queries.case_file`) on a built warehouse.

    uv run python benchmarks/case_file_query.py --warehouse FILE [--cases 10] [--runs 5]
        [--name case_file_query_large] [--label before]

Calls it as the auditor's page does, cold (each call opens its own read-only connection, so
DuckDB's cache starts empty; the operating system's file cache stays warm), for the first case
the page lists (`case_file_cases`, those with breaches first) and `--cases - 1` more spread
over the case ids, `--runs` rounds round-robin. Times, per call, the whole case file and its
parts (header, records, breaches, reconciliation to the sources) and records the medians and
p95 against the 300 ms budget of issue #14 in `benchmarks/results/<name>.md` (appended to, one
section per `--label`, so a before and an after sit side by side).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from record import RESULTS  # benchmarks/record.py: scripts run from this folder
from scale_queries import p95

from amicable.case_file import load as case_file_load
from dashboards import queries

BUDGET_MS = 300


def cases(warehouse: Path, count: int) -> list[str]:
    """The first case the page lists, then `count - 1` case ids evenly spread over the rest."""
    first = str(queries.case_file_cases(warehouse)["case_id"].iloc[0])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        spread = [
            row[0]
            for row in con.execute(
                "select case_id from (select case_id, ntile(?) over (order by case_id) as tile "
                "from marts.dim_cases) group by tile, case_id qualify row_number() over "
                "(partition by tile order by case_id) = 1 order by case_id",
                [max(count - 1, 1)],
            ).fetchall()
        ]
    return [first, *[c for c in spread if c != first]][:count]


def time_parts(warehouse: Path, case_id: str) -> dict[str, float]:
    """Milliseconds of one cold call, whole and by part (the parts time the same code the
    whole runs: `load_case_file` with its steps wrapped)."""
    parts: dict[str, float] = {}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name] = parts.get(name, 0.0) + (time.perf_counter() - started) * 1000

        return wrapper

    originals = {name: getattr(case_file_load, name) for name in ("_header", "_frame", "reconcile")}
    case_file_load._header = timed("header", originals["_header"])
    case_file_load._frame = timed("records and breaches", originals["_frame"])
    case_file_load.reconcile = timed("reconciliation", originals["reconcile"])
    try:
        started = time.perf_counter()
        queries.case_file(warehouse, case_id)
        parts["case_file"] = (time.perf_counter() - started) * 1000
    finally:
        for name, function in originals.items():
            setattr(case_file_load, name, function)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--name", default="case_file_query")
    parser.add_argument("--label", default="run")
    args = parser.parse_args()
    chosen = cases(args.warehouse, args.cases)
    samples: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for case_id in chosen:
            for part, ms in time_parts(args.warehouse, case_id).items():
                samples.setdefault(part, []).append(ms)
    total = samples.pop("case_file")
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        (rows,) = con.execute("select count(*) from marts.fct_case_file").fetchone()
    lines = [
        f"## {args.label}",
        "",
        f"Command: `uv run python benchmarks/{Path(__file__).name} --warehouse "
        f"{args.warehouse.name} --cases {args.cases} --runs {args.runs} --label {args.label}`",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: 2 cores (shared), "
        f"{platform.platform()}, Python {platform.python_version()}; "
        f"marts.fct_case_file: {rows:,} rows; cases: {', '.join(chosen)}",
        "",
        f"**case_file: median {statistics.median(total):.0f} ms, p95 {p95(total):.0f} ms "
        f"(budget {BUDGET_MS} ms p95), {len(total)} cold calls**",
        "",
        "| part | median ms | p95 ms |",
        "|---|---:|---:|",
        *(
            f"| {part} | {statistics.median(ms):.0f} | {p95(ms):.0f} |"
            for part, ms in samples.items()
        ),
        "",
    ]
    out = RESULTS / f"{args.name}.md"
    previous = out.read_text() if out.exists() else "# The case-file query, cold\n\n"
    out.write_text(previous + "\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"appended to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
