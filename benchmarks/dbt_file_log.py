"""What dbt's file log costs a build: `dbt run` then `dbt test` (the data tests) as a build
launches them, once per file-log setting, rounds interleaved; the median CPU seconds of each
and the ratio to JSON's.

    uv run python benchmarks/dbt_file_log.py --warehouse W --as-of 2026-11-20 --work DIR \\
        [--rounds 3] [--out benchmarks/results/dbt_file_log_tiny.md]

dagster-dbt runs dbt with DBT_LOG_FORMAT=json (it reads the events from dbt's output), and
dbt then writes its file log (`dbt.log`, every debug event) as JSON too, unless
DBT_LOG_FORMAT_FILE says otherwise (`orchestration.dbt_assets.FILE_LOG`, which the builds
set). A build keeps that file only when dbt fails (the artifacts folder is removed after a
good run). The settings compared: JSON, DBT_LOG_FORMAT_FILE=text and =debug (the same events
as plain lines; debug is the builds' choice), DBT_LOG_LEVEL_FILE=none (no file log).
`--warehouse` is a built warehouse, copied once into `--work`: each `dbt run` is incremental
with no new rows, so every round does the same work; dbt's partial parse is kept between
commands, as a build keeps it. The data tests read every row (no daily reading scope), so the
log's share of a daily build's `dbt test` is, if anything, larger than here. CPU seconds are
those of the dbt process and its children (`getrusage`), so a busy machine slows the wall
clock more than them; read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
from datetime import date
from pathlib import Path

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, WAREHOUSE_ENV
from orchestration.dbt_assets import (
    DBT_TARGET,
    DbtBuildConfig,
    build_environment,
    dbt_executable,
    dbt_vars,
)

VARIANTS: dict[str, dict[str, str]] = {
    "JSON": {"DBT_LOG_FORMAT_FILE": "json"},  # what dagster-dbt's DBT_LOG_FORMAT=json gives
    "text": {"DBT_LOG_FORMAT_FILE": "text"},
    "debug": {"DBT_LOG_FORMAT_FILE": "debug"},
    "none": {"DBT_LOG_LEVEL_FILE": "none"},
}
COMMANDS = {"run": ["run"], "test": ["test", "--exclude-resource-type", "unit_test"]}


def dbt(command: list[str], warehouse: Path, as_of: date, work: Path, extra: dict) -> float:
    """CPU seconds of one dbt command as a build runs it (its vars and build values, JSON
    events on stdout), with `extra` in its environment."""
    values = dbt_vars(
        DbtBuildConfig(as_of=as_of.isoformat()), load_config(DEFAULT_CONFIG).dbt_vars()
    )
    config_vars, build_env = build_environment(values | {"full_refresh_reason": ""})
    for log in (work / "target").glob("dbt.log*"):
        log.unlink()
    argv = [
        dbt_executable(), *command, "--vars", json.dumps(config_vars, sort_keys=True),
        "--target", DBT_TARGET,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "target"),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_LOG")}
    env |= {**build_env, WAREHOUSE_ENV: str(warehouse), "DBT_LOG_FORMAT": "json", **extra}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    failed_tests = command[0] == "test" and done.returncode == 1  # a run like another
    if done.returncode != 0 and not failed_tests:
        sys.exit(f"dbt {command[0]} exited {done.returncode}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built warehouse")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="its as-of")
    parser.add_argument("--work", type=Path, required=True, help="room for a copy")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the table here (markdown)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    warehouse = args.work / "warehouse.duckdb"
    shutil.copy(args.warehouse, warehouse)
    dbt(COMMANDS["run"], warehouse, args.as_of, args.work, {})  # settles the incremental state
    cpu: dict[tuple[str, str], list[float]] = {}
    log_bytes: dict[tuple[str, str], int] = {}  # the last round's
    for _ in range(args.rounds):
        for name, extra in VARIANTS.items():
            for step, command in COMMANDS.items():
                seconds = dbt(command, warehouse, args.as_of, args.work, extra)
                cpu.setdefault((name, step), []).append(seconds)
                logs = (args.work / "target").glob("dbt.log*")  # dbt rotates it at 10 MB
                log_bytes[(name, step)] = sum(log.stat().st_size for log in logs)
    base = sum(statistics.median(cpu[("JSON", step)]) for step in COMMANDS)
    lines = [
        f"dbt's file log, `dbt run` + `dbt test` as a build runs them, on a copy of"
        f" {args.warehouse.name} as of {args.as_of}; median of {args.rounds} interleaved rounds"
        " (CPU seconds of dbt and its children)",
        "",
        "| file log | run CPU s | test CPU s | total CPU s | vs JSON | dbt.log bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in VARIANTS:
        run, test = (statistics.median(cpu[(name, step)]) for step in COMMANDS)
        lines.append(
            f"| {name} | {run:.1f} | {test:.1f} | {run + test:.1f} | {(run + test) / base:.2f}"
            f" | {sum(log_bytes[(name, step)] for step in COMMANDS):,} |"
        )
    lines += ["", f"command: `uv run python benchmarks/dbt_file_log.py {' '.join(sys.argv[1:])}`"]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
