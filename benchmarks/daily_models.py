"""Each dbt model's own time in a daily build against a full build, from dbt's run_results.json.

    uv run amicable generate --size large --debtors 20000 --daily --as-of 2026-11-20 --out DIR
    uv run python benchmarks/daily_models.py --landing DIR --as-of 2026-11-20 [--project-dir P]

Sets the files of the night `--as-of` aside, ingests the rest into a new warehouse and runs
`dbt run --full-refresh` as of the day before (a first build); then ingests the night's files
and runs `dbt run` as of `--as-of` (the daily build: incremental), with a build's vars.
Prints, per model (slowest in the full build first), dbt's execution time in both runs and the
daily / full ratio: the machine is shared, so the ratio says more than the seconds; then the
CPU seconds of each `dbt run` (user + system of the dbt process and its threads, parsing
included), which the load of other processes does not inflate as much as wall time.
`--project-dir` times another copy of the dbt project (e.g. `git archive` of an earlier
commit) on the same data; `--threads 1` runs one model at a time, so that a model's time is
not its siblings' too. dbt data tests and the checks of `amicable build` are not run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from raw_suites_daily import ingest  # benchmarks/: scripts run from this folder
from scale import bring_back, set_aside

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, WAREHOUSE_ENV
from orchestration.dbt_assets import DbtBuildConfig, dbt_executable, dbt_vars


def dbt_run(
    warehouse: Path,
    as_of: date,
    project: Path,
    work: Path,
    full_refresh: bool,
    threads: int = 0,
    select: str = "",
) -> tuple[dict[str, float], float]:
    """`dbt run` with a build's vars, a full refresh or not (the daily build's decision is
    not re-derived: `orchestration.incremental` fingerprints the repository's project, not
    `project`), of the models `select` names (default: all); (model name -> execution
    seconds, CPU seconds of the dbt process)."""
    config = DbtBuildConfig(as_of=as_of.isoformat())
    values = dbt_vars(config, load_config(DEFAULT_CONFIG).dbt_vars())
    refresh = ["--full-refresh"] if full_refresh else []
    refresh += ["--threads", str(threads)] if threads else []
    refresh += ["--select", select] if select else []
    command = [
        dbt_executable(), "run", "--quiet", *refresh,
        "--vars", json.dumps(values, sort_keys=True),  # as the build passes them
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env={**os.environ, WAREHOUSE_ENV: str(warehouse)}, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True, help="a --daily landing zone")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="its last night")
    parser.add_argument("--project-dir", type=Path, default=DBT_PROJECT_DIR)
    parser.add_argument("--top", type=int, default=15, help="models listed")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="dbt threads (1: no model shares the machine "
        "with a sibling, so a small model's time is its own; default: the profile's)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work, warehouse = Path(tmp), Path(tmp) / "warehouse.duckdb"
        set_aside(args.landing, work / "aside", args.as_of)
        try:
            ingest(args.landing, warehouse, "full", datetime.now(UTC).replace(tzinfo=None))
            day_before = args.as_of - timedelta(days=1)
            full, full_cpu = dbt_run(
                warehouse, day_before, args.project_dir, work / "f", True, args.threads
            )
        finally:
            bring_back(work / "aside", args.landing)
        ingest(args.landing, warehouse, "daily", datetime.now(UTC).replace(tzinfo=None))
        daily, daily_cpu = dbt_run(
            warehouse, args.as_of, args.project_dir, work / "d", False, args.threads
        )
    print("\n| model | full s | daily s | daily / full |\n|---|---:|---:|---:|")
    rows = [(n, full[n], daily.get(n, 0.0)) for n in sorted(full, key=lambda n: -full[n])]
    rows = [*rows[: args.top], ("**all models**", sum(full.values()), sum(daily.values()))]
    for name, full_s, daily_s in rows:
        print(f"| {name} | {full_s:.2f} | {daily_s:.2f} | {daily_s / full_s:.1%} |")
    ratio = daily_cpu / full_cpu
    print(f"\ndbt run CPU s: full {full_cpu:.1f}, daily {daily_cpu:.1f} ({ratio:.1%})")


if __name__ == "__main__":
    main()
