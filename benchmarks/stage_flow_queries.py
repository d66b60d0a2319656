"""Time the stage-flow page's queries (`stage_flow`, `stage_time`), which compute a period's
figures from the ended stays of `marts.fct_case_stage_durations` when the page asks.

    uv run python benchmarks/stage_flow_queries.py --warehouse FILE [--runs 20]
        [--name stage_flow_queries_large]

Calls each as the page does, cold (each call opens its own read-only connection, so DuckDB's
cache starts empty; the operating system's file cache stays warm), for three choices: the
page's default (every month, every segment, strategy and team), the segment, strategy and team
with the most moves over every month, and the latest month alone with every filter `all`;
`--runs` rounds round-robin, with a read-only connection opened, asked `select 1` and closed
(what every call pays first). Records the median and p95 milliseconds against the 300 ms budget
of issue #14 in `benchmarks/results/<name>.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder
from scale_queries import CONNECTION, _connection_only, p95

from dashboards import queries

BUDGET_MS = 300
ALL = queries.ALL


def choices(warehouse: Path) -> dict[str, tuple[str, str, str, str, str]]:
    """The (first month, last month, segment, strategy, team) of each timed choice."""
    months = queries.flow_months(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        segment, strategy, team = con.execute(
            "select segment, strategy, owner_team from marts.fct_case_stage_durations"
            " where left_at is not null and segment is not null and strategy is not null"
            " and owner_team is not null group by all order by count(*) desc, 1, 2, 3 limit 1"
        ).fetchone()
    return {
        "every month, all": (months[0], months[-1], ALL, ALL, ALL),
        f"every month, {segment} {strategy} {team}": (
            months[0], months[-1], segment, strategy, team,
        ),
        f"{months[-1]}, all": (months[-1], months[-1], ALL, ALL, ALL),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--name", default="stage_flow_queries")
    args = parser.parse_args()
    calls = {
        (query.__name__, label): (query, cell)
        for label, cell in choices(args.warehouse).items()
        for query in (queries.stage_flow, queries.stage_time)
    }
    calls[(CONNECTION, "")] = (_connection_only, ())
    seconds: dict[tuple[str, str], list[float]] = {key: [] for key in calls}
    for _ in range(args.runs):
        for key, (query, cell) in calls.items():
            started = time.perf_counter()
            query(args.warehouse, *cell)
            seconds[key].append(time.perf_counter() - started)
    load = os.getloadavg()[0]
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        (moves,) = con.execute(
            "select count(*) from marts.fct_case_stage_durations where left_at is not null"
        ).fetchone()
    lines = [
        f"# Stage-flow page queries, cold ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Command: `uv run python benchmarks/stage_flow_queries.py {' '.join(sys.argv[1:])}`;"
        f" {moves:,} moves (ended stays); {args.runs} rounds round-robin;"
        f" {platform.machine()}, Python {platform.python_version()},"
        f" DuckDB {duckdb.__version__}, load average {load:.1f} at the end (2 cores)."
        f" Budget {BUDGET_MS} ms p95.",
        "",
        "| query | choice | median ms | p95 ms |",
        "|---|---|---:|---:|",
    ]
    for (name, label), values in seconds.items():
        lines.append(
            f"| {name} | {label} | {statistics.median(values) * 1000:.0f}"
            f" | {p95(values) * 1000:.0f} |"
        )
    record(args.name, [*lines, ""])


if __name__ == "__main__":
    main()
