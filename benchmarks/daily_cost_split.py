"""Where a daily `dbt run` spends its time: on the night's new data, on the as-of date moving
on, or on what it costs whatever the night brings (dbt's own work per model and the reading of
the history each model's scope is decided on).

    uv run python benchmarks/daily_cost_split.py --warehouse W --landing L --as-of 2026-11-20 \\
        --work DIR --name NAME --sample 'what W holds' [--rounds 1] [--top 25]

`--warehouse` holds a build as of the day before `--as-of` (e.g. a slot of `amicable build
--as-of <the eve>` on `amicable generate --daily` files with the last night set aside), and
`--landing` its landing zone with the night's files back. On copies of it, `dbt run` as a
daily build runs it (incremental, a build's vars: `daily_models.dbt_run`), three ways:

- **again**: as of the eve, nothing new: what a run costs whatever the night brings;
- **date**: as of `--as-of`, nothing new: plus what the as-of date moving on restates;
- **night**: the night's files ingested, as of `--as-of`: the daily build's `dbt run`.

Each run keeps dbt's parse in its own folder of `--work` and runs once untimed first, so
every timed run re-parses nothing, as a build that keeps its parse (`orchestration.dbt_assets
.restore_parse`). Then `--rounds` times, the three taking turns; medians. Writes
`results/<NAME>.md`: the CPU seconds of each (dbt and its children), the shares of the
night's run, and the models' dbt seconds per run (slowest in the night's first).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
from datetime import date, timedelta
from pathlib import Path

from daily_models import dbt_run  # benchmarks/: scripts run from this folder
from raw_suites_daily import night_copy
from record import record

from amicable.settings import DBT_PROJECT_DIR

RUNS = ("again", "date", "night")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="built as of the eve")
    parser.add_argument("--landing", type=Path, required=True, help="with the night's files")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="the night")
    parser.add_argument("--work", type=Path, required=True, help="room for two warehouses")
    parser.add_argument("--name", required=True, help="results/<name>.md")
    parser.add_argument("--sample", required=True, help="what the warehouse holds, in words")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--top", type=int, default=25, help="models listed")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    eve = args.as_of - timedelta(days=1)
    night = night_copy(args.warehouse, args.landing, args.work, "night")
    runs = (
        ("again", args.warehouse, eve),
        ("date", args.warehouse, args.as_of),
        ("night", night, args.as_of),
    )
    cpu: dict[str, list[float]] = {run: [] for run in RUNS}
    seconds: dict[str, dict[str, list[float]]] = {run: {} for run in RUNS}
    for timed in [False] + [True] * args.rounds:  # the first round parses: not timed
        for run, source, as_of in runs:
            copy = args.work / "run.duckdb"
            shutil.copy(source, copy)
            times, used = dbt_run(copy, as_of, DBT_PROJECT_DIR, args.work / run, False)
            if timed:
                cpu[run].append(used)
                for model, took in times.items():
                    seconds[run].setdefault(model, []).append(took)
    medians = {run: statistics.median(cpu[run]) for run in RUNS}
    per_model = {run: {m: statistics.median(t) for m, t in seconds[run].items()} for run in RUNS}
    record(args.name, report(args, medians, per_model))


def report(
    args: argparse.Namespace, cpu: dict[str, float], per_model: dict[str, dict[str, float]]
) -> list[str]:
    whole = cpu["night"]
    lines = [
        "# Where a daily `dbt run` spends its time",
        "",
        f"Command: `uv run python benchmarks/daily_cost_split.py --warehouse {args.warehouse} "
        f"--landing {args.landing} --as-of {args.as_of} --work {args.work} --name {args.name} "
        f"--sample '{args.sample}' --rounds {args.rounds} --top {args.top}`",
        f"Warehouse: {args.sample}. Date: {date.today()}; median of {args.rounds} round(s)"
        " after an untimed one (dbt's parse kept, as a build keeps it), the three runs taking"
        " turns; CPU seconds of dbt and its children.",
        "",
        "| run | CPU s | share of the night's run |",
        "|---|---:|---:|",
        f"| again: as of the eve, nothing new | {cpu['again']:.1f} | {cpu['again'] / whole:.0%} |",
        f"| date: as of the night, nothing new | {cpu['date']:.1f} | {cpu['date'] / whole:.0%} |",
        f"| night: its files ingested | {whole:.1f} | 100% |",
        "",
        "| model | again s | date s | night s |",
        "|---|---:|---:|---:|",
    ]
    night = per_model["night"]
    for model in sorted(night, key=lambda m: -night[m])[: args.top]:
        again, moved = per_model["again"].get(model, 0.0), per_model["date"].get(model, 0.0)
        lines.append(f"| {model} | {again:.2f} | {moved:.2f} | {night[model]:.2f} |")
    sums = [sum(per_model[run].values()) for run in RUNS]
    lines.append("| **all models** | " + " | ".join(f"{s:.2f}" for s in sums) + " |")
    return lines


if __name__ == "__main__":
    main()
