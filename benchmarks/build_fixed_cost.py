"""What a daily build costs whatever its data, per phase, before and after a change.

    uv run python benchmarks/build_fixed_cost.py [--runs 3] [--work DIR]
        [--before c155aa8 | --before-project DIR]

On the `tiny` sample (`amicable generate --daily`, seed 7, as of AS_OF; the last night set
aside), for two checkouts of the project, "before" (`git archive` of the commit `--before`, or
the folder `--before-project`) and "after" (this one), each through its own CLI
(`python -m amicable.cli` with the checkout first on `PYTHONPATH`): a full build as of the eve
and a rebuild with no new files (so that each of the warehouse's two slots has been built once:
what every later build finds), kept as a snapshot. Then `--runs` times, before and after taking
turns so that both see the same machine: the snapshot restored, the last night brought back,
the daily build (`--as-of AS_OF`) and a rebuild with no new files, each measured as a process
tree (`tree_usage`) and cut into phases by its progress lines (`scale.phases`). Writes
`benchmarks/results/build_fixed_cost_tiny.md`: the median CPU seconds per phase, before and
after, and their ratio; and whether, after the last run, the models are equal row for row
(`tests/warehouse_compare.py`: every table of staging, intermediate and marts, EXCEPT ALL
both ways, build lineage and the project's own fingerprint left out).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
from generate_scale import AS_OF
from record import record  # benchmarks/record.py: scripts run from this folder
from scale import PHASES, bring_back, header, phases, set_aside
from tree_usage import Usage, run_measured

from tests.warehouse_compare import BUILD_COLUMNS, differences

REPO = Path(__file__).resolve().parent.parent
SIZE = "tiny"
BUILDS = ("daily", "rebuild")  # the daily build of the last night, then one with no new files
# Besides build lineage: the fingerprint hashes the project's own files, which differ.
IGNORED = BUILD_COLUMNS | {"build_fingerprint"}


def checkout(commit: str, into: Path) -> Path:
    """The tree of `commit` of this repository, unpacked into `into`."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True
    ).stdout
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


class Project:
    """One checkout, its landing zone and warehouse folder under `work`."""

    def __init__(self, label: str, root: Path, work: Path) -> None:
        self.label, self.root, self.work = label, root, work / label
        self.landing, self.aside = self.work / "landing", self.work / "last_night"
        self.folder, self.snapshot = self.work / "wh", self.work / "wh.snapshot"
        self.warehouse = self.folder / "warehouse.duckdb"
        self.env = {**os.environ, "PYTHONPATH": str(root)}

    def build(self, as_of: date, what: str) -> Usage:
        command = [sys.executable, "-m", "amicable.cli", "build", "--landing", str(self.landing)]
        command += ["--warehouse", str(self.warehouse), "--as-of", as_of.isoformat()]
        print(f"[{self.label}] {what}: {' '.join(command)}", file=sys.stderr, flush=True)
        out = self.work / f"{what}.txt"
        usage = run_measured(command, stdout=out, env=self.env)
        if usage.status != 0:
            tail = "\n".join(m.line for m in usage.marks[-15:])
            raise SystemExit(f"[{self.label}] {what} exited with {usage.status} ({out})\n{tail}")
        print(f"  {usage.cpu:,.1f} CPU s, {usage.wall:,.1f} s", file=sys.stderr, flush=True)
        return usage

    def prepare(self, landing: Path) -> None:
        """The full build as of the eve and a rebuild, then the warehouse folder's snapshot."""
        shutil.copytree(landing, self.landing)
        set_aside(self.landing, self.aside, AS_OF)
        eve = AS_OF - timedelta(days=1)
        self.build(eve, "full")
        self.build(eve, "warm")
        shutil.copytree(self.folder, self.snapshot, symlinks=True)

    def run(self, number: int) -> dict[str, Usage]:
        """The snapshot restored, the daily build and a rebuild; the last night set aside."""
        shutil.rmtree(self.folder)
        shutil.copytree(self.snapshot, self.folder, symlinks=True)
        bring_back(self.aside, self.landing)
        usages = {build: self.build(AS_OF, f"{build}-{number}") for build in BUILDS}
        set_aside(self.landing, self.aside, AS_OF)
        return usages


def compare(before: Path, after: Path) -> dict[str, tuple[int, int]]:
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as before (read_only)")
        con.execute(f"attach '{after}' as after (read_only)")
        return differences(con, "before", "after", ignore=IGNORED)


def report(
    runs: dict[str, list[dict[str, Usage]]], labels: dict[str, str], unequal: dict
) -> list[str]:
    lines = [
        f"Before: {labels['before']}; after: {labels['after']}. {len(runs['after'])} runs each,"
        " before and after taking turns; medians.",
        "",
    ]
    for build in BUILDS:
        title = "Daily build (the last night's files)" if build == "daily" else "Rebuild"
        title += "" if build == "daily" else " with no new files, after the daily build"
        lines += [
            f"## {title}",
            "",
            "| phase | before CPU s | after CPU s | after / before | before wall s"
            " | after wall s |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        split = {side: [phases(run[build]) for run in runs[side]] for side in ("before", "after")}
        rows = [
            (p, *(_median(split[s], p, i) for s in ("before", "after") for i in (1, 0)))
            for p in PHASES
        ]
        totals = [
            statistics.median(getattr(run[build], measure) for run in runs[side])
            for side in ("before", "after")
            for measure in ("cpu", "wall")
        ]
        rows.append(("**total**", *totals))
        for phase, before_cpu, before_wall, after_cpu, after_wall in rows:
            ratio = f"{after_cpu / before_cpu:.2f}" if before_cpu >= 0.05 else "–"
            lines.append(
                f"| {phase} | {before_cpu:,.1f} | {after_cpu:,.1f} | {ratio} | "
                f"{before_wall:,.1f} | {after_wall:,.1f} |"
            )
        lines.append("")
    if unequal:
        found = ", ".join(
            f"{t} ({a} rows only before, {b} only after)" for t, (a, b) in unequal.items()
        )
        lines.append(
            f"After the last run (daily build, then rebuild) the models **differ**: {found}."
        )
    else:
        lines.append(
            "After the last run (daily build, then rebuild) the models are equal row for row"
            " (every table of staging,"
            " intermediate and marts, EXCEPT ALL both ways; build lineage and the fingerprint"
            " of the project's files left out)."
        )
    return lines


def _median(split: list[dict[str, tuple[float, float]]], phase: str, index: int) -> float:
    """Median over the runs of a phase's CPU (`index` 1) or wall (0) seconds."""
    return statistics.median(run[phase][index] for run in split)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", default="c155aa8", help="commit of this repository")
    parser.add_argument("--before-project", type=Path, default=None, help="a checkout instead")
    parser.add_argument("--work", type=Path, default=None, help="keep the files under DIR")
    args = parser.parse_args()
    command = f"uv run python benchmarks/build_fixed_cost.py --runs {args.runs}"
    command += f" --before-project {args.before_project}" if args.before_project else ""
    command += f" --before {args.before}" if not args.before_project else ""
    with tempfile.TemporaryDirectory(prefix="amicable-fixed-cost-") as tmp:
        work = args.work or Path(tmp)
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"{work} is not empty: choose another --work folder")
        work.mkdir(parents=True, exist_ok=True)
        before_root = args.before_project or checkout(args.before, work / "before-project")
        labels = {
            "before": str(args.before_project) if args.before_project else f"commit {args.before}",
            "after": f"this checkout ({_head()})",
        }
        landing = work / "landing"
        generate = [sys.executable, "-m", "amicable.cli", "generate", "--size", SIZE, "--seed"]
        generate += ["7", "--as-of", AS_OF.isoformat(), "--out", str(landing), "--daily"]
        subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)
        projects = {
            "before": Project("before", before_root.resolve(), work),
            "after": Project("after", REPO, work),
        }
        for project in projects.values():
            project.prepare(landing)
        runs: dict[str, list[dict[str, Usage]]] = {side: [] for side in projects}
        for number in range(1, args.runs + 1):
            for side, project in projects.items():
                runs[side].append(project.run(number))
        unequal = compare(projects["before"].warehouse, projects["after"].warehouse)
    title = f"# What a daily build costs whatever its data ({SIZE}), before and after"
    lines = [title, "", *header(command)[2:4], ""] + report(runs, labels, unequal)
    record(f"build_fixed_cost_{SIZE}", lines)


def _head() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return done.stdout.strip()


if __name__ == "__main__":
    main()
