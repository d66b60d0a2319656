"""One daily `dbt run` of two versions of the dbt project on the same warehouse: per-model
seconds, CPU seconds, and whether both leave the same rows.

    uv run python benchmarks/daily_dbt_ab.py --warehouse W --landing L --as-of 2026-11-20 \\
        --base main --work DIR [--rebuild MODEL ...]

`--warehouse` holds a build as of the day before `--as-of` (e.g. `benchmarks/scale.py`'s
first slot, `<work>/xl/warehouse.duckdb.slot-a`, whose build does not include the night);
the night's new files of `--landing` are ingested into a copy once, then each version (the
project at git ref `--base`, and this checkout's) runs the daily build (`dbt run`, no full
refresh, a build's vars) on a copy of its own. `--rebuild` names models that each version
first rebuilds in full as of the day before, with its own project: those whose columns this
checkout changes (a daily run cannot add a column), those the warehouse's build did not
have yet (else the daily run would build them whole), and those whose full build is compared
(the rebuild's models and CPU seconds are printed too). Prints each model's dbt seconds
(slowest first) and the CPU seconds of each `dbt run`, then compares every model table of the
two warehouses, load-time lineage aside (tests/warehouse_compare.py). One run each at xl
takes minutes: read the CPU seconds on a quiet machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
from base_module import REPO, git  # benchmarks/: scripts run from this folder
from daily_models import dbt_run
from raw_suites_daily import night_copy

from amicable.settings import DBT_PROJECT_DIR

sys.path.insert(0, str(REPO))
from tests.warehouse_compare import differences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="built as of the day before")
    parser.add_argument("--landing", type=Path, required=True, help="its --daily landing zone")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True, help="the night")
    parser.add_argument("--base", required=True, help="git ref of the project to compare with")
    parser.add_argument("--work", type=Path, required=True, help="room for three warehouses")
    parser.add_argument("--rebuild", nargs="*", default=[], help="models rebuilt first")
    parser.add_argument("--top", type=int, default=15, help="models listed")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    night = night_copy(args.warehouse, args.landing, args.work, "daily")
    base_project = args.work / "base_project"
    shutil.rmtree(base_project, ignore_errors=True)
    base_project.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", args.base, "dbt_project"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(base_project)], input=archive, check=True)
    runs, rebuilds = {}, {}
    for name, project in (("base", base_project / "dbt_project"), ("this", DBT_PROJECT_DIR)):
        warehouse = args.work / f"{name}.duckdb"
        shutil.copy(night, warehouse)
        if args.rebuild:
            day_before = args.as_of - timedelta(days=1)
            rebuild = args.work / f"{name}_rebuild"
            select = " ".join(args.rebuild)
            rebuilds[name] = dbt_run(warehouse, day_before, project, rebuild, True, select=select)
        runs[name] = dbt_run(warehouse, args.as_of, project, args.work / name, False)
    print(f"\nbase {args.base} ({git('rev-parse', '--short', args.base)}) against this checkout")
    if rebuilds:
        print("\nRebuilt in full as of the day before (`dbt run --full-refresh`):")
        compare(rebuilds["base"], rebuilds["this"], "dbt run --full-refresh", args.top)
        print("\nThen the daily build:")
    compare(runs["base"], runs["this"], "dbt run", args.top)
    with duckdb.connect(config={"memory_limit": "4GB"}) as con:
        for name in ("base", "this"):
            con.execute(f"attach '{args.work / name}.duckdb' as {name} (read_only)")
        found = differences(con, "base", "this")
    print("same rows in every model table" if not found else f"tables that differ: {found}")


def compare(
    base_run: tuple[dict[str, float], float],
    this_run: tuple[dict[str, float], float],
    command: str,
    top: int,
) -> None:
    """The slowest models of the base's run, each beside this checkout's, and both runs' CPU."""
    (base, base_cpu), (this, this_cpu) = base_run, this_run
    print("\n| model | base s | this s |\n|---|---:|---:|")
    for model in sorted(base, key=lambda m: -base[m])[:top]:
        print(f"| {model} | {base[model]:.2f} | {this.get(model, 0.0):.2f} |")
    print(f"| **all models** | {sum(base.values()):.2f} | {sum(this.values()):.2f} |")
    print(
        f"\n{command} CPU s: base {base_cpu:.1f}, this {this_cpu:.1f} ({this_cpu / base_cpu:.1%})"
    )


if __name__ == "__main__":
    main()
