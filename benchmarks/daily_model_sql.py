"""CPU seconds of one dbt model's SELECT in a daily build: the whole table against the batch.

    uv run amicable generate --size large --debtors 20000 --daily --as-of 2026-11-20 --out DIR
    uv run python benchmarks/daily_model_sql.py --landing DIR --as-of 2026-11-20 \\
        --model int_finance_ar_balances [--project-dir P] [--repeat 5]

Prepares the state of a daily build as daily_models.py does (the files of the night `--as-of`
set aside, every model built with `dbt run --full-refresh` as of the day before, then the
night's files ingested), runs the model's ancestors as of `--as-of` (incrementally where they
are), and compiles the model both ways: the SELECT a full build runs (`--full-refresh`) and,
for an incremental model, the daily batch. Each is then written to a temporary table in one
DuckDB process, `--repeat` times; prints the median CPU seconds (the process's, DuckDB's
threads included) and wall seconds, and the rows written. dbt's own steps around an incremental
batch (its delete and insert, the post-hooks) are not timed: they are in proportion to the
batch. `--project-dir` times another copy of the dbt project (e.g. `git archive` of an
earlier commit, where the model was a table) on the same data. `--against P` also times the
full-build SELECT of the model as another copy of the project compiles it, in the same process
and rounds (each round runs every SELECT once, in turn): a before/after ratio measured in one
run, on the same warehouse state; and counts the rows of either full SELECT that the other
does not return (`except all` both ways: 0 and 0 when a rewrite left the model's rows as they
were).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from raw_suites_daily import ingest  # benchmarks/: scripts run from this folder
from scale import bring_back, set_aside

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, WAREHOUSE_ENV
from orchestration.dbt_assets import DbtBuildConfig, dbt_executable, dbt_vars


def dbt(command: list[str], warehouse: Path, as_of: date, project: Path, work: Path) -> None:
    """One dbt command with a build's vars on `warehouse`, target and logs under `work`."""
    values = dbt_vars(
        DbtBuildConfig(as_of=as_of.isoformat()), load_config(DEFAULT_CONFIG).dbt_vars()
    )
    args = [
        dbt_executable(), *command, "--quiet", "--vars", json.dumps(values),
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    subprocess.run(args, env={**os.environ, WAREHOUSE_ENV: str(warehouse)}, check=True)


def compiled_select(
    warehouse: Path, as_of: date, project: Path, work: Path, model: str, full: bool
) -> str:
    """The model's compiled SELECT: a full build's, or a daily build's (incremental)."""
    refresh = ["--full-refresh"] if full else []
    dbt(["compile", "--select", model, *refresh], warehouse, as_of, project, work)
    (path,) = (work / "target" / "compiled").rglob(f"{model}.sql")
    return path.read_text()


def timed(warehouse: Path, selects: dict[str, str], repeat: int) -> dict[str, tuple]:
    """Per SELECT, the median CPU and wall seconds of writing it to a temporary table, and its
    rows; `repeat` rounds, each running every SELECT once, in turn."""
    cpu: dict[str, list[float]] = {name: [] for name in selects}
    wall: dict[str, list[float]] = {name: [] for name in selects}
    rows: dict[str, int] = {}
    with duckdb.connect(str(warehouse)) as con:
        for _ in range(repeat):
            for name, select in selects.items():
                started_cpu, started = time.process_time(), time.perf_counter()
                con.execute(f"create or replace temp table timed_batch as {select}")
                cpu[name].append(time.process_time() - started_cpu)
                wall[name].append(time.perf_counter() - started)
                rows[name] = con.execute("select count(*) from timed_batch").fetchone()[0]
    return {
        name: (statistics.median(cpu[name]), statistics.median(wall[name]), rows[name])
        for name in selects
    }


def differing(warehouse: Path, selects: dict[str, str]) -> tuple[int, int]:
    """Rows (with their multiplicity) of this project's full SELECT that the other project's
    does not return, and the other way round (`except all`), over the columns both return but
    build lineage (`loaded_at`, which a model made incremental adds): (0, 0) when equal."""
    this, other = selects["full build"], list(selects.values())[-1]
    with duckdb.connect(str(warehouse)) as con:
        names = [
            [column[0] for column in con.execute(f"select * from ({s}) limit 0").description]
            for s in (this, other)
        ]
        shared = ", ".join(f'"{c}"' for c in names[0] if c in names[1] and c != "loaded_at")
        counts = [
            con.execute(
                f"select count(*) from (select {shared} from ({a})"
                f" except all select {shared} from ({b}))"
            ).fetchone()[0]
            for a, b in ((this, other), (other, this))
        ]
    return counts[0], counts[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True, help="a --daily landing zone")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="its last night")
    parser.add_argument("--model", required=True, help="the dbt model timed")
    parser.add_argument("--project-dir", type=Path, default=DBT_PROJECT_DIR)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--against", type=Path, help="another copy of the dbt project: its full SELECT too"
    )
    args = parser.parse_args()
    project, model = args.project_dir, args.model
    with tempfile.TemporaryDirectory() as tmp:
        work, warehouse = Path(tmp), Path(tmp) / "warehouse.duckdb"
        day_before = args.as_of - timedelta(days=1)
        set_aside(args.landing, work / "aside", args.as_of)
        try:
            ingest(args.landing, warehouse, "full", datetime.now(UTC).replace(tzinfo=None))
            dbt(["run", "--full-refresh"], warehouse, day_before, project, work / "f")
        finally:
            bring_back(work / "aside", args.landing)
        ingest(args.landing, warehouse, "daily", datetime.now(UTC).replace(tzinfo=None))
        ancestors = ["run", "--select", f"+{model}", "--exclude", model]
        dbt(ancestors, warehouse, args.as_of, project, work / "d")
        full = compiled_select(warehouse, args.as_of, project, work / "cf", model, True)
        daily = compiled_select(warehouse, args.as_of, project, work / "cd", model, False)
        selects = {"full build": full, "daily build": daily}
        if args.against:
            selects[f"full build, {args.against}"] = compiled_select(
                warehouse, args.as_of, args.against, work / "ca", model, True
            )
        print(f"\n| {model}, SELECT only | CPU s | wall s | rows |\n|---|---:|---:|---:|")
        for name, (cpu, wall, rows) in timed(warehouse, selects, args.repeat).items():
            print(f"| {name} | {cpu:.3f} | {wall:.3f} | {rows:,} |")
        if args.against:
            print(f"\nrows of one full SELECT not in the other: {differing(warehouse, selects)}")


if __name__ == "__main__":
    main()
