"""One SQL check on every row of a warehouse, as this checkout runs it and as another commit
did: CPU seconds and the same outcome.

    uv run python benchmarks/sql_check_cpu.py --warehouse W --check NAME [--base main]
        [--runs 3] [--threads 1] [--name sql_check_cpu]

W: a built warehouse (e.g. `benchmarks/scale.py --work DIR` keeps DIR/<size>/warehouse.duckdb),
opened read-only. NAME: a check of `data_quality.sql_checks`; the base commit's version is the
function of the same name in the base commit's copy of the module that defines it
(`base_module.module_at`). Each runs `--runs` times, alternately, on every row (no scope), on
one connection with `--threads` DuckDB threads; the median CPU seconds of this process and
their ratio. The two outcomes (failing count, keys, summary, figures) must be equal, or the
script stops. Writes `benchmarks/results/<name>.md`.
"""

from __future__ import annotations

import argparse
import inspect
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from base_module import REPO, git, module_at  # benchmarks/: scripts run from this folder
from record import record

from data_quality.sql_checks import SQL_CHECKS_BY_NAME


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--check", required=True, choices=sorted(SQL_CHECKS_BY_NAME))
    parser.add_argument("--base", default="main")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default="sql_check_cpu")
    args = parser.parse_args()
    this = SQL_CHECKS_BY_NAME[args.check].run
    source = Path(inspect.getsourcefile(this) or "").resolve().relative_to(REPO).as_posix()
    with tempfile.TemporaryDirectory() as tmp:
        base = getattr(module_at(args.base, source, Path(tmp)), this.__name__)
        con = duckdb.connect(str(args.warehouse), read_only=True)
        con.execute(f"set threads = {args.threads}")
        cpu: dict[str, list[float]] = {"base": [], "this": []}
        outcomes = {}
        for _ in range(args.runs):
            for name, run in (("base", base), ("this", this)):
                start = time.process_time()
                outcome = run(con, None)
                cpu[name].append(time.process_time() - start)
                outcomes[name] = (
                    outcome.failing_count,
                    outcome.failing_keys,
                    outcome.summary,
                    outcome.figures,
                )
        if outcomes["base"] != outcomes["this"]:
            sys.exit(f"the two outcomes differ: {outcomes}")
    b, t = statistics.median(cpu["base"]), statistics.median(cpu["this"])
    lines = [
        f"# SQL check `{args.check}`: this checkout against {args.base}",
        "",
        f"Command: `uv run python benchmarks/sql_check_cpu.py --warehouse W --check {args.check}"
        f" --base {args.base} --runs {args.runs} --threads {args.threads}` (this checkout:"
        f" {git('rev-parse', '--short', 'HEAD')}; W: {args.warehouse.name})",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}; "
        f"load average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared "
        "machine: read the ratio)",
        "",
        f"Outcome, the same from both: {outcomes['this'][2]}",
        "",
        "| version | median CPU s | runs (CPU s) |",
        "|---|---:|---|",
        f"| {args.base} | {b:.2f} | {', '.join(f'{x:.2f}' for x in cpu['base'])} |",
        f"| this checkout | {t:.2f} | {', '.join(f'{x:.2f}' for x in cpu['this'])} |",
        "",
        f"This checkout / {args.base}: {t / b:.2f}.",
        "",
    ]
    record(args.name, lines)


if __name__ == "__main__":
    main()
