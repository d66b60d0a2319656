"""Dashboard queries of this checkout against another commit's, on one warehouse, in one run.

    uv run python benchmarks/query_ab.py --warehouse FILE --base REF --queries a,b \\
        [--runs 15] [--name query_ab]

Each named query function of `dashboards.queries` is called as `scale_queries` calls it (the
page's first call; a read-only connection of its own, so DuckDB's cache starts empty), once
with this checkout's statements (`dashboards/sql/`) and once with REF's (`git archive`), the
two taking turns call by call, `--runs` rounds: both versions share the machine's noise, so
read the ratio. The query function is this checkout's for both: REF's statement must take the
same parameters. Also compares the two versions' frames (on the columns both return) and
records the median and p95 milliseconds, and their ratio, in `benchmarks/results/<name>.md`.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from record import record  # benchmarks/record.py: scripts run from this folder
from scale_queries import CONNECTION, _connection_only, calls, p95, query_functions

from dashboards.queries import core

REPOSITORY = Path(__file__).resolve().parents[1]
VERSIONS = ("base", "this")


def base_statements(ref: str, into: Path) -> Path:
    """REF's `dashboards/sql/` written under `into`; its path."""
    archive = subprocess.run(
        ["git", "archive", ref, "dashboards/sql"],
        cwd=REPOSITORY,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "dashboards" / "sql"


def with_statements(sql_dir: Path, call: Callable[[], Any]) -> Callable[[], Any]:
    """`call` with the statements read from `sql_dir`: core.sql_text reads core.SQL_DIR and
    caches, so the folder is set and the cache emptied first (timed with the call: reading one
    small file, microseconds)."""

    def run() -> Any:
        core.SQL_DIR = sql_dir
        core.sql_text.cache_clear()
        return call()

    return run


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds of `call`, and its result."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def same_frame(base: Any, this: Any) -> str:
    """Whether two results are equal on the columns both have."""
    if not isinstance(base, pd.DataFrame) or not isinstance(this, pd.DataFrame):
        return "yes" if base == this else "**no**"
    common = [column for column in this.columns if column in base.columns]
    equal = base[common].reset_index(drop=True).equals(this[common].reset_index(drop=True))
    dropped = [column for column in base.columns if column not in this.columns]
    note = f" (on {', '.join(common)}; base also returns {', '.join(dropped)})" if dropped else ""
    return ("yes" if equal else "**no**") + note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--base", required=True, help="a git ref: its dashboards/sql/")
    parser.add_argument("--queries", required=True, help="comma-separated query functions")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--name", default="query_ab")
    parser.add_argument("--sample", default="", help="what the warehouse holds, in words")
    args = parser.parse_args()
    functions, arguments = query_functions(), calls(args.warehouse)
    names = args.queries.split(",")
    unknown = [name for name in names if name not in functions]
    if unknown:
        raise SystemExit(f"not a query function of dashboards.queries: {', '.join(unknown)}")
    this_dir = core.SQL_DIR
    seconds: dict[tuple[str, str], list[float]] = {
        (name, version): [] for name in [*names, CONNECTION] for version in VERSIONS
    }
    results: dict[tuple[str, str], Any] = {}
    with tempfile.TemporaryDirectory() as work:
        sql_dirs = {"base": base_statements(args.base, Path(work)), "this": this_dir}
        for _ in range(args.runs):
            for name in names:
                call = partial(functions[name], args.warehouse, *arguments[name])
                for version in VERSIONS:
                    spent, results[name, version] = timed(with_statements(sql_dirs[version], call))
                    seconds[name, version].append(spent)
            for version in VERSIONS:
                spent, _ = timed(partial(_connection_only, args.warehouse))
                seconds[CONNECTION, version].append(spent)
        core.SQL_DIR = this_dir
        core.sql_text.cache_clear()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"# Dashboard queries: this checkout ({commit}) against {args.base}",
        "",
        f"Command: `uv run python benchmarks/query_ab.py {' '.join(sys.argv[1:])}`",
        f"Warehouse: {args.sample or args.warehouse}. Date: {datetime.now(UTC):%Y-%m-%d %H:%M}"
        f" UTC; {args.runs} rounds, the two versions taking turns call by call, each call a"
        f" read-only connection of its own; {platform.machine()}, Python"
        f" {platform.python_version()}, DuckDB {duckdb.__version__}; load average"
        f" {os.getloadavg()[0]:.1f} at the end (2 cores, shared: read the ratios).",
        "",
        "| query | base median ms | base p95 | this median ms | this p95 | this / base"
        " (medians) | same frame |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in [*names, CONNECTION]:
        base, this = seconds[name, "base"], seconds[name, "this"]
        same = same_frame(results[name, "base"], results[name, "this"]) if name in names else ""
        lines.append(
            f"| `{name}` | {statistics.median(base) * 1000:.0f} | {p95(base) * 1000:.0f}"
            f" | {statistics.median(this) * 1000:.0f} | {p95(this) * 1000:.0f}"
            f" | {statistics.median(this) / statistics.median(base):.2f} | {same} |"
        )
    record(args.name, [*lines, ""])


if __name__ == "__main__":
    main()
