"""Peak memory of a full raw-suite validation, read in runs of files against one read.

    uv run python benchmarks/raw_suite_memory.py --warehouse W.duckdb [--table contacts_calls]
        [--rounds 2]

A full validation (`amicable build --full-refresh`, a first build, a changed suite) validates
every row of a raw table. `data_quality.runner` reads it a run of whole files at a time
(about `CHUNK_ROWS` rows, each run with the earlier runs' rows that share its values), so the
build's memory does not grow with the table. On `--warehouse` (read only), each round
runs the table's suite in a fresh process twice, in turn: as the runner does it, and with
`CHUNK_ROWS` so large that the whole table is one read (what it did before); measured as a
process tree (`tree_usage`: peak resident memory, CPU and wall seconds). The two outcomes must
agree (the same verdicts, counts and failing keys), else the script says so. Writes
`benchmarks/results/raw_suite_memory_<table>.md`.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from record import record  # benchmarks/record.py: scripts run from this folder
from tree_usage import run_measured

ONE_READ = 10**12  # CHUNK_ROWS that puts every batch in one run


def child(warehouse: Path, table: str, chunk_rows: int, out: Path) -> None:
    """The suite of raw `table`, validated in full with `chunk_rows`; its outcome to `out`."""
    from data_quality import runner
    from data_quality.suites import SUITES

    runner.CHUNK_ROWS = chunk_rows
    outcome = runner.run_suite(warehouse, f"raw.{table}", SUITES[f"raw.{table}"](), full=True)
    seen = [[r.name, r.success, r.unexpected_count, list(r.failing_keys)] for r in outcome.results]
    out.write_text(json.dumps({"results": seen, "rows_read": outcome.rows_read}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--table", default="contacts_calls")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.table, int(args.child[1]), Path(args.child[2]))
        return
    from data_quality.runner import CHUNK_ROWS

    work = Path(tempfile.mkdtemp(prefix="raw_suite_memory_"))
    copy = args.warehouse  # run_suite without a run id opens it read-only and writes nothing
    ways = {"runs of files": CHUNK_ROWS, "one read": ONE_READ}
    usages: dict[str, list] = {name: [] for name in ways}
    outcomes: dict[str, str] = {}
    for _ in range(args.rounds):
        for name, chunk_rows in ways.items():
            out = work / f"{chunk_rows}.json"
            command = [sys.executable, __file__, "--table", args.table, "--warehouse", str(copy),
                       "--child", str(copy), str(chunk_rows), str(out)]  # fmt: skip
            usage = run_measured(command, stdout=work / f"{chunk_rows}.txt")
            if usage.status != 0:
                errors = "\n".join(m.line for m in usage.marks[-15:])
                sys.exit(f"{name}: exit {usage.status}:\n{errors}")
            usages[name].append(usage)
            outcomes[name] = json.loads(out.read_text())
    agree = outcomes["runs of files"]["results"] == outcomes["one read"]["results"]
    command = "uv run python benchmarks/raw_suite_memory.py --warehouse W.duckdb"
    command += f" --table {args.table} --rounds {args.rounds}"
    lines = [
        f"# Peak memory of a full validation of raw.{args.table}: runs of batches, one read",
        "",
        f"Command: `{command}` (W: `{args.warehouse.name}`)",
        f"Machine: {platform.platform()}, Python {platform.python_version()}; a shared 2-core"
        " machine: medians of the rounds, the two ways taking turns.",
        "",
        "| way | CHUNK_ROWS | rows read | peak MB (median) | CPU s (median) | wall s (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, chunk_rows in ways.items():
        runs = usages[name]
        lines.append(
            f"| {name} | {chunk_rows:,} | {outcomes[name]['rows_read']:,}"
            f" | {statistics.median(u.peak_mb for u in runs):,.0f}"
            f" | {statistics.median(u.cpu for u in runs):.1f}"
            f" | {statistics.median(u.wall for u in runs):.1f} |"
        )
    lines += ["", "Outcomes (verdicts, failing counts and keys) " + ("agree." if agree else
              "DIFFER: a bug in the runs of files.")]  # fmt: skip
    record(f"raw_suite_memory_{args.table}", lines)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
