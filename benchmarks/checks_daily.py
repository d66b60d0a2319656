"""The checks of a daily build, restricted to the new rows vs reading every row, on one
warehouse in one run: the SQL checks and the dbt data tests.

    uv run python benchmarks/checks_daily.py --warehouse W --name checks_daily_<sample>

W: a warehouse after a daily build (e.g. `benchmarks/scale.py --work DIR` keeps
DIR/<size>/warehouse.duckdb); it is copied to a temporary folder, never written. The daily
build's batch is the latest of `raw._loads`. In its own process each (CPU seconds of the whole
process tree, `tree_usage`, Python's start-up included), both ways in this run:

- the SQL checks (`data_quality.sql_checks`): every row (`run(con, None)`, a full refresh) vs
  the daily build's scope (`Scope((latest batch,))`, what `data_quality.sql_scope` gives a
  daily build after a passing one), with each check's CPU seconds (`time.process_time`) and
  its outcome (status, failing count and keys, which must be the same);
- `dbt test` (every data test): without vars `tested_batches` and `tested_marks` (every row)
  vs with them (the tests of the incremental staging models read the new rows only, the
  uniqueness tests of the incremental models stamped with `loaded_at` the rows written since
  the model's mark, macros/get_where_subquery.sql), with dbt's own seconds for the staging
  tests, those and the others. The marks are the ones the daily build had, given that the
  build before it passed: each model's newest `loaded_at` before the newest, settled
  (`data_quality.tested_marks`). The project is parsed first with the same vars (`dbt parse`,
  not measured), as `dbt run` parses it in a build.

Writes `benchmarks/results/<name>.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from record import record  # benchmarks/record.py: scripts run from this folder
from tree_usage import Usage, run_measured

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, WAREHOUSE_ENV
from data_quality import tested_marks

PROJECT = DBT_PROJECT_DIR


def latest_batch(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select _batch_id from raw._loads group by _batch_id order by max(_loaded_at) desc"
            " limit 1"
        ).fetchone()
    if not row:
        raise SystemExit(f"{warehouse}: no load logged in raw._loads")
    return row[0]


def sql_checks(warehouse: str, batch: str) -> None:
    """Child process: every SQL check on `warehouse`, scoped to `batch` unless it is empty;
    prints one JSON object per check."""
    from data_quality.sql_checks import SQL_CHECKS
    from data_quality.sqlcheck import Scope

    scope = Scope((batch,)) if batch else None
    with duckdb.connect(warehouse, read_only=True) as con:
        for check in SQL_CHECKS:
            started = time.process_time()
            outcome = check.run(con, scope if check.scoped else None)
            seconds = time.process_time() - started
            seen = [outcome.failing_count, list(outcome.failing_keys), outcome.checked]
            print(json.dumps({"check": check.name, "cpu": seconds, "outcome": seen}))


def run_sql_checks(warehouse: Path, batch: str, out: Path) -> tuple[Usage, list[dict]]:
    command = [sys.executable, __file__, "--child-sql-checks", str(warehouse), batch]
    usage = run_measured(command, stdout=out)
    if usage.status != 0:
        raise SystemExit(f"SQL checks failed: {' '.join(command)}")
    return usage, [json.loads(line) for line in out.read_text().splitlines()]


def dbt_test(warehouse: Path, variables: dict, work: Path) -> tuple[Usage, dict[str, float]]:
    """`dbt test` as a build runs it (unit tests excluded); dbt's seconds: staging, other."""
    from orchestration.dbt_assets import dbt_executable  # Dagster: not in the SQL checks' child

    options = [
        "--vars", json.dumps(variables, sort_keys=True),
        "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
    # parsed first, not measured: in a build `dbt test` reuses the parse of `dbt run`
    subprocess.run([dbt_executable(), "parse", *options], env=env, check=True, capture_output=True)
    command = [dbt_executable(), "test", "--exclude-resource-type", "unit_test", *options]
    usage = run_measured(command, env=env)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    manifest = json.loads((work / "target" / "manifest.json").read_text())["nodes"]
    seconds = {"staging": 0.0, "written": 0.0, "other": 0.0, "failed": 0.0}
    for result in results:
        test = manifest[result["unique_id"]]
        kind = "staging" if test["fqn"][1] == "staging" else "other"
        kind = "written" if tested_marks.reads_written_rows(test) else kind
        seconds[kind] += result["execution_time"]
        seconds["failed"] += result["status"] != "pass"
    return usage, seconds


def previous_marks(warehouse: Path, manifest_path: Path) -> dict[str, dict]:
    """Each model whose tests read the rows written since its mark: the mark the daily build
    had when the build before it passed, its newest `loaded_at` before the newest, settled."""
    nodes = json.loads(manifest_path.read_text())["nodes"]
    models = {tested_marks.marked_model(test, nodes) for test in nodes.values()} - {None}
    marks = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema, name in sorted(models):
            (mark,) = con.execute(
                f"select max(loaded_at) filter (where loaded_at < (select max(loaded_at)"
                f" from {schema}.{name})) from {schema}.{name}"
            ).fetchone()
            if mark is not None:
                marks[name] = {"mark": mark.isoformat(), "settled": True}
    return marks


def main() -> None:
    if sys.argv[1:2] == ["--child-sql-checks"]:
        sql_checks(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--name", default="checks_daily")
    parser.add_argument("--sample", default="", help="what the warehouse holds, for the header")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        warehouse = work / "warehouse.duckdb"
        shutil.copyfile(args.warehouse.resolve(), warehouse)
        batch = latest_batch(warehouse)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            (as_of,) = con.execute("select as_of_date from marts.dim_build").fetchone() or (None,)
            (new_rows,) = con.execute(
                "select sum(rows_loaded) from raw._loads where _batch_id = ?", [batch]
            ).fetchone() or (0,)
        variables = load_config(DEFAULT_CONFIG).dbt_vars() | {"as_of": str(as_of)}
        sql_every, every_rows = run_sql_checks(warehouse, "", work / "every.jsonl")
        sql_new, new_rows_out = run_sql_checks(warehouse, batch, work / "new.jsonl")
        dbt_every, every_seconds = dbt_test(warehouse, variables, work / "every")
        marks = previous_marks(warehouse, work / "every" / "target" / "manifest.json")
        restricted = variables | {"tested_batches": [batch], "tested_marks": marks}
        dbt_new, new_seconds = dbt_test(warehouse, restricted, work / "new")
    lines = report(args, batch, int(new_rows or 0), as_of, every_rows, new_rows_out)
    lines += [
        "",
        "| whole process tree (CPU s) | every row | new rows | new / every |",
        "|---|---:|---:|---:|",
    ]
    both = [("SQL checks", sql_every, sql_new), ("dbt test", dbt_every, dbt_new)]
    for what, every, new in both:
        lines.append(f"| {what} | {every.cpu:.2f} | {new.cpu:.2f} | {new.cpu / every.cpu:.0%} |")
    total_every = sql_every.cpu + dbt_every.cpu
    total_new = sql_new.cpu + dbt_new.cpu
    lines.append(
        f"| **both** | **{total_every:.2f}** | **{total_new:.2f}** |"
        f" **{total_new / total_every:.0%}** |"
    )
    lines += [
        "",
        "dbt's own seconds per test, summed (2 threads): staging tests "
        f"{every_seconds['staging']:.1f} every row vs {new_seconds['staging']:.1f} new rows; "
        f"the uniqueness tests of the {len(marks)} models stamped with `loaded_at` "
        f"{every_seconds['written']:.1f} every row vs {new_seconds['written']:.1f} rows written"
        " since their mark; "
        f"the other tests {every_seconds['other']:.1f} vs {new_seconds['other']:.1f}. "
        f"Tests not passing: {every_seconds['failed']:.0f} every row, "
        f"{new_seconds['failed']:.0f} new rows.",
    ]
    record(args.name, lines)


def report(
    args: argparse.Namespace,
    batch: str,
    new_rows: int,
    as_of: date | None,
    every: list[dict],
    new: list[dict],
) -> list[str]:
    load = os.getloadavg()
    lines = [
        "# The checks of a daily build: the new rows vs every row",
        "",
        f"Command: `uv run python benchmarks/checks_daily.py --warehouse <W> --name {args.name}"
        + (f" --sample '{args.sample}'`" if args.sample else "`"),
        f"Warehouse: {args.sample or args.warehouse} (as of {as_of}); the daily build's batch "
        f"{batch} loaded {new_rows:,} rows.",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; load average at the end {load[0]:.1f}, "
        f"{load[1]:.1f}, {load[2]:.1f} (a shared machine: CPU seconds say more than wall).",
        "",
        "| SQL check | CPU s every row | CPU s new rows | new / every | same outcome |",
        "|---|---:|---:|---:|---|",
    ]
    for whole, scoped in zip(every, new, strict=True):
        share = scoped["cpu"] / whole["cpu"] if whole["cpu"] else float("nan")
        same = "yes" if whole["outcome"] == scoped["outcome"] else "**no**"
        lines.append(
            f"| `{whole['check']}` | {whole['cpu']:.2f} | {scoped['cpu']:.2f} | {share:.0%} |"
            f" {same} |"
        )
    return lines


if __name__ == "__main__":
    main()
