"""What dbt's file log costs a build: `dbt run` then `dbt test` (the data tests) as a build
launches them, once per file-log setting, rounds interleaved; the median CPU seconds of each
and the ratio to today's setting.

    uv run python benchmarks/dbt_file_log.py --warehouse W --as-of 2026-11-20 --work DIR \\
        [--rounds 3] [--out benchmarks/results/dbt_file_log_tiny.md]

dagster-dbt runs dbt with DBT_LOG_FORMAT=json (it reads the events from dbt's output), and
dbt then writes its file log (`dbt.log`, every debug event) as JSON too. The build keeps that
file only when dbt fails (`orchestration.dbt_assets`: the artifacts folder is removed after a
good run). The settings compared: today's (JSON), DBT_LOG_FORMAT_FILE=text and =debug (the
same events as plain lines), DBT_LOG_LEVEL_FILE=none (no file log). `--warehouse` is a built
warehouse, copied once into `--work`: each `dbt run` is incremental with no new rows, so every
round does the same work. CPU seconds are those of the dbt process and its children
(`getrusage`), so a busy machine slows the wall clock more than them; read the ratios.
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
from orchestration.dbt_assets import DbtBuildConfig, build_environment, dbt_executable, dbt_vars

VARIANTS: dict[str, dict[str, str]] = {
    "JSON (today)": {},
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
    shutil.rmtree(work / "target", ignore_errors=True)
    argv = [
        dbt_executable(), *command, "--vars", json.dumps(config_vars, sort_keys=True),
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"), "--log-path", str(work / "target"),
    ]  # fmt: skip
    env = {**os.environ, **build_env, WAREHOUSE_ENV: str(warehouse), "DBT_LOG_FORMAT": "json"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env={**env, **extra}, stdout=subprocess.DEVNULL, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: a data test failed, which is a run like another
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
                log = args.work / "target" / "dbt.log"
                log_bytes[(name, step)] = log.stat().st_size if log.exists() else 0
    base = sum(statistics.median(cpu[("JSON (today)", step)]) for step in COMMANDS)
    lines = [
        f"dbt's file log, `dbt run` + `dbt test` as a build runs them, on a copy of"
        f" {args.warehouse.name} as of {args.as_of}; median of {args.rounds} interleaved rounds"
        " (CPU seconds of dbt and its children)",
        "",
        "| file log | run CPU s | test CPU s | total CPU s | vs today | dbt.log bytes |",
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
