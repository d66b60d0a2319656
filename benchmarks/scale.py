"""What the product costs at each sample size: generate, full build, daily build, reads, floor.

    uv run python benchmarks/scale.py [--sizes demo,large,xl] [--query-runs 20] [--work DIR]

For each size, in a temporary folder (or `--work DIR/<size>`, kept), through the real CLI:
generates the sample one file per source and night (`amicable generate --daily`, seed 7, as of
AS_OF) and sets the last two nights' files aside (extraction stamps on AS_OF-1 and AS_OF);
builds everything else (`amicable build --as-of AS_OF-2`, the full build), then brings each
night in and builds again: AS_OF-1 (the first daily build: the warehouse's second build, which
copies the published slot once and parses the dbt project whole) and AS_OF (the daily build
measured against the targets: it writes the slot holding the full build, so it takes both
nights, the one before caught up from the published slot, as every daily build does once the
two slots alternate, `orchestration.publish`). Each command is measured as a process tree
(`tree_usage`: wall and CPU seconds, dbt's subprocesses included, peak memory) and each build
is split into phases by the progress lines it prints on stderr; its log (dbt's seconds per
model and test) is kept as `full_build.log`, `first_daily_build.log` and `daily_build.log`
in the size's folder. Then the warehouse's size, and
every dashboard query's cold median and p95 on it (`scale_queries`). The floor, timed in the
same run on the full build's files: hand-written DuckDB SQL computing the month-end ageing and
the monthly DSO and CEI straight from the landing files (`scale_floor`). Writes
`benchmarks/results/scale_<size>.md` with the targets of issue 14, met or missed by how much.
Only `tiny` and `demo` are quick; `large` and `xl` take a long time and gigabytes of disk.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from generate_scale import AS_OF, CONTACT_EVENTS, volumes
from record import record  # benchmarks/record.py: scripts run from this folder
from scale_queries import CONNECTION, p95, time_queries
from tree_usage import Mark, Usage, run_measured

from amicable.settings import run_files_dir
from ingestion.landing import extracted_at

CLI = [sys.executable, "-m", "amicable.cli"]
FLOOR = Path(__file__).parent / "scale_floor.py"
PROGRESS = re.compile(r"^\[\d+:\d{2}\] (.*)$")
# A build's phases; a progress line ends a stretch of the phase its text names.
STARTUP, REPORT = "start-up, to the first progress line", "report and publish, after the last"
CHECKS, DBT_TESTS = "checks on raw, SQL checks", "dbt data tests"
LINE_PHASES = (
    (re.compile(r"^ingested "), "ingest"),
    (re.compile(r"^dbt: \d+ data tests run"), DBT_TESTS),
    (re.compile(r"^dbt"), "dbt models"),
    (re.compile(r"^check |^\d+ checks recorded"), CHECKS),
)
RECORDED = re.compile(r"^\d+ checks recorded")  # after the dbt tests: their results recorded
PHASES = (STARTUP, "ingest", CHECKS, "dbt models", DBT_TESTS, "other steps", REPORT)
TARGETS = {"full_wall": 180.0, "floor_ratio": 10.0, "daily_share": 0.05, "peak_mb": 4096.0}
QUERY_BUDGET = 0.300
FULL_AS_OF = AS_OF - timedelta(days=2)  # the full build's as-of date; two daily builds follow


@dataclass
class SizeRun:
    size: str
    generate: Usage
    full: Usage
    daily: Usage
    floor: Usage
    floor_figures: dict
    mart_open_ar: float | None
    warehouse_mb: dict[str, tuple[float, float]]  # build -> (published file, on disk)
    queries: dict[str, list[float]]
    rows: dict[str, int]
    files: int
    landing_bytes: int
    last_night: tuple[int, int]  # files, bytes
    first_daily: Usage  # the night before the last: the warehouse's second build


def set_aside(landing: Path, aside: Path, night: date) -> tuple[int, int]:
    """Move the files extracted on `night` from `landing` to `aside`: how many, how many bytes."""
    moved = [p for p in landing.rglob("*") if p.is_file() and _night(p) == night]
    for path in moved:
        target = aside / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)  # keeps the modification time
    return len(moved), sum((aside / p.relative_to(landing)).stat().st_size for p in moved)


def _night(path: Path) -> date | None:
    stamp = extracted_at(path.name)
    return stamp.date() if stamp else None


def bring_back(aside: Path, landing: Path) -> None:
    for path in [p for p in aside.rglob("*") if p.is_file()]:
        target = landing / path.relative_to(aside)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)


def warehouse_mb(warehouse: Path) -> tuple[float, float]:
    """MB of the published warehouse file (links followed), and on disk with every slot
    (`<name>.slot-*`) and write-ahead log beside it."""
    published = warehouse.resolve()
    files = {published, *(p.resolve() for p in warehouse.parent.glob(f"{warehouse.name}.slot-*"))}
    files |= {p.with_name(p.name + ".wal") for p in files}
    on_disk = sum(p.stat().st_size for p in files if p.is_file())
    return published.stat().st_size / 2**20, on_disk / 2**20


def mart_open_ar(warehouse: Path, as_of: date) -> float | None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (total,) = con.execute(
            "select sum(open_amount_rc) from marts.fct_ar_ageing where snapshot_date = ?", [as_of]
        ).fetchone()
    return None if total is None else float(total)


def phase_spans(usage: Usage) -> list[tuple[str, Mark | None, Mark | None]]:
    """The run cut into (phase, mark it started after, mark it ended at): the stretch before
    each progress line goes to the phase its text names; before the first line, start-up;
    after the last (end None), report and publish."""
    spans: list[tuple[str, Mark | None, Mark | None]] = []
    progress = [(m, found.group(1)) for m in usage.marks if (found := PROGRESS.match(m.line))]
    phase, previous = STARTUP, None
    for i, (mark, text) in enumerate(progress):
        after_tests = phase == DBT_TESTS and RECORDED.search(text)
        phase = STARTUP if i == 0 else DBT_TESTS if after_tests else _phase_of(text)
        spans.append((phase, previous, mark))
        previous = mark
    spans.append((REPORT, previous, None))
    return spans


def phases(usage: Usage) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds per phase (`phase_spans`)."""
    spent = {phase: [0.0, 0.0] for phase in PHASES}
    for phase, start, end in phase_spans(usage):
        start_wall, start_cpu = (start.wall, start.cpu) if start else (0.0, 0.0)
        end_wall, end_cpu = (end.wall, end.cpu) if end else (usage.wall, usage.cpu)
        spent[phase][0] += end_wall - start_wall
        spent[phase][1] += end_cpu - start_cpu
    return {phase: (w, c) for phase, (w, c) in spent.items()}


def peak_phase(usage: Usage) -> str:
    """The phase during which the process tree's memory peaked."""
    for phase, _, end in phase_spans(usage):
        if end is None or usage.peak_at <= end.wall:
            return phase
    return REPORT


def _phase_of(text: str) -> str:
    return next((phase for pattern, phase in LINE_PHASES if pattern.search(text)), "other steps")


def _measured(command: list[str], what: str, stdout: Path, echo: bool = False) -> Usage:
    print(f"{what}: {' '.join(command)}", file=sys.stderr, flush=True)
    usage = run_measured(command, stdout=stdout, echo=echo)
    if usage.status != 0:
        tail = "\n".join(m.line for m in usage.marks[-15:])
        raise SystemExit(f"{what} exited with {usage.status}; its output is in {stdout}\n{tail}")
    return usage


def _keep_log(warehouse: Path, kept: Path) -> None:
    """Keep the build's log (dbt's line per model and test with its seconds) as `kept`: the
    warehouse's `last_build.log` holds only the latest build's."""
    shutil.copyfile(run_files_dir(warehouse) / "last_build.log", kept)


def run_size(size: str, work: Path, query_runs: int, debtors: int | None) -> SizeRun:
    landing, warehouse = work / "landing", work / "warehouse.duckdb"
    aside, eve_aside = work / "last_night", work / "night_before"
    eve = AS_OF - timedelta(days=1)
    generate = CLI + ["generate", "--size", size, "--seed", "7", "--as-of", AS_OF.isoformat()]
    generate += ["--out", str(landing), "--daily"]
    generate += ["--debtors", str(debtors)] if debtors else []
    generated = _measured(generate, f"[{size}] generate", work / "generate.txt")
    rows, files, landing_bytes = volumes(landing)
    last_night = set_aside(landing, aside, AS_OF)
    set_aside(landing, eve_aside, eve)
    build = CLI + ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    full = _measured(
        build + ["--as-of", FULL_AS_OF.isoformat()],
        f"[{size}] full build",
        work / "full.txt",
        echo=True,
    )
    _keep_log(warehouse, work / "full_build.log")
    sizes = {"full": warehouse_mb(warehouse)}
    mart_total = mart_open_ar(warehouse, FULL_AS_OF)
    floor_command = [sys.executable, str(FLOOR), "--landing", str(landing)]
    floor = _measured(
        floor_command + ["--as-of", str(FULL_AS_OF)], f"[{size}] floor", work / "floor.json"
    )
    floor_figures = json.loads((work / "floor.json").read_text())
    bring_back(eve_aside, landing)
    first_daily = _measured(
        build + ["--as-of", eve.isoformat()],
        f"[{size}] first daily build",
        work / "first_daily.txt",
        echo=True,
    )
    _keep_log(warehouse, work / "first_daily_build.log")
    bring_back(aside, landing)
    daily_build = build + ["--as-of", AS_OF.isoformat()]
    daily = _measured(daily_build, f"[{size}] daily build", work / "daily.txt", echo=True)
    _keep_log(warehouse, work / "daily_build.log")
    sizes["daily"] = warehouse_mb(warehouse)
    print(f"[{size}] {query_runs} cold runs of every dashboard query", file=sys.stderr, flush=True)
    queries = time_queries(warehouse, query_runs)
    return SizeRun(
        size, generated, full, daily, floor, floor_figures, mart_total, sizes, queries,
        dict(rows), sum(files.values()), landing_bytes, last_night, first_daily,
    )  # fmt: skip


def _verdict(measured: float, limit: float, unit: str) -> str:
    if measured <= limit:
        return "met"
    return f"**missed** by {measured - limit:,.1f}{unit} ({measured / limit:.1f}× the target)"


def _share(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def report(run: SizeRun, debtors: int | None) -> list[str]:
    full, daily, floor = run.full, run.daily, run.floor
    full_phases, daily_phases = phases(full), phases(daily)
    cpu_share, wall_share = _share(daily.cpu, full.cpu), _share(daily.wall, full.wall)
    ratio = _share(full.cpu, floor.cpu)
    peak = max(full.peak_mb, daily.peak_mb)
    p95s = {name: p95(seconds) for name, seconds in run.queries.items() if name != CONNECTION}
    worst = max(p95s, key=p95s.get)
    over = [name for name, value in p95s.items() if value > QUERY_BUDGET]
    contacts = sum(run.rows.get(t, 0) for t in CONTACT_EVENTS)
    dbt_lines = {
        build: next((m.line for m in usage.marks if "dbt: building" in m.line), "(none)")
        for build, usage in (("full", full), ("daily", daily))
    }
    lines = [
        f"## `{run.size}`" + (f", {debtors:,} debtors" if debtors else ""),
        "",
        f"Sample: {run.rows.get('erp_invoices', 0):,} invoice rows, "
        f"{run.rows.get('erp_payment_allocations', 0):,} payment allocations, "
        f"{contacts:,} contact events; {run.files:,} files, {run.landing_bytes / 2**20:,.0f} MB; "
        f"the last night: {run.last_night[0]} files, {run.last_night[1] / 2**20:,.1f} MB. "
        f"Generate: {run.generate.wall:,.1f} s wall, {run.generate.cpu:,.1f} s CPU, "
        f"peak {run.generate.peak_mb:,.0f} MB.",
        "",
        "| phase: wall s between the arrivals of the build's progress lines on stderr, CPU s of"
        " the process tree meanwhile | full wall s | full CPU s | daily wall s | daily CPU s |",
        "|---|---:|---:|---:|---:|",
    ]
    for phase in PHASES:
        (fw, fc), (dw, dc) = full_phases[phase], daily_phases[phase]
        lines.append(f"| {phase} | {fw:,.1f} | {fc:,.1f} | {dw:,.1f} | {dc:,.1f} |")
    lines += [
        f"| **total** (CPU: `wait4` of the process tree) | **{full.wall:,.1f}** | "
        f"**{full.cpu:,.1f}** | **{daily.wall:,.1f}** | **{daily.cpu:,.1f}** |",
        "",
        f"dbt, full build: `{dbt_lines['full']}`; daily build: `{dbt_lines['daily']}`.",
        "",
        f"The first daily build (the night of {AS_OF - timedelta(days=1)}, the warehouse's"
        " second build: it copies the published slot once and dbt parses the project whole;"
        f" not the daily build above): {run.first_daily.wall:,.1f} s wall,"
        f" {run.first_daily.cpu:,.1f} s CPU ({_share(run.first_daily.cpu, full.cpu):.1%} of the"
        f" full build's), peak {run.first_daily.peak_mb:,.0f} MB.",
        "",
        "| measure | full build | daily build | floor |",
        "|---|---:|---:|---:|",
        f"| peak memory of the process tree (MB, sampled every 0.2 s) | {full.peak_mb:,.0f} | "
        f"{daily.peak_mb:,.0f} | {floor.peak_mb:,.0f} |",
        f"| largest single process (MB) | {full.largest_process_mb:,.0f} | "
        f"{daily.largest_process_mb:,.0f} | {floor.largest_process_mb:,.0f} |",
        f"| phase of the tree's peak | {peak_phase(full)} | {peak_phase(daily)} | |",
        f"| warehouse file after it (MB) | {run.warehouse_mb['full'][0]:,.1f} | "
        f"{run.warehouse_mb['daily'][0]:,.1f} | |",
        f"| on disk with slots and WAL (MB) | {run.warehouse_mb['full'][1]:,.1f} | "
        f"{run.warehouse_mb['daily'][1]:,.1f} | |",
        f"| CPU s / floor CPU s | {ratio:,.1f}× | {_share(daily.cpu, floor.cpu):,.1f}× | 1× |",
        "",
        f"The daily build costs {cpu_share:.1%} of the full build's CPU and {wall_share:.1%} of"
        f" its wall time. The floor: {floor.wall:,.1f} s wall, {floor.cpu:,.1f} s CPU for "
        f"{run.floor_figures['snapshots']} ageing snapshots and {run.floor_figures['months']} "
        f"DSO/CEI months; its open AR on {FULL_AS_OF} is "
        f"{run.floor_figures['open_ar_rc']:,.2f}, the marts' "
        + (f"{run.mart_open_ar:,.2f}" if run.mart_open_ar is not None else "(none)")
        + " (the floor dates payments by allocation, the marts by the bank's value date).",
        "",
        f"Targets (issue 14, set for `xl` on this 2-core machine"
        f"{'' if run.size == 'xl' else f'; at `{run.size}` indicative'}):",
        "",
        "| target | measured | verdict |",
        "|---|---:|---|",
        f"| full build ≤ 3 min wall | {full.wall:,.1f} s | "
        f"{_verdict(full.wall, TARGETS['full_wall'], ' s')} |",
        f"| full build ≤ 10× the floor's CPU | {ratio:,.1f}× | "
        f"{_verdict(ratio, TARGETS['floor_ratio'], '×')} |",
        f"| daily build ≤ 5 % of the full (CPU) | {cpu_share:.1%} | "
        f"{_verdict(100 * cpu_share, 100 * TARGETS['daily_share'], ' points')} |",
        f"| daily build ≤ 5 % of the full (wall) | {wall_share:.1%} | "
        f"{_verdict(100 * wall_share, 100 * TARGETS['daily_share'], ' points')} |",
        f"| peak memory ≤ 4 GiB | {peak:,.0f} MB | {_verdict(peak, TARGETS['peak_mb'], ' MB')} |",
        f"| every dashboard query ≤ 300 ms p95 | worst {1000 * p95s[worst]:,.0f} ms "
        f"(`{worst}`), {len(over)} of {len(p95s)} over | "
        f"{_verdict(1000 * p95s[worst], 1000 * QUERY_BUDGET, ' ms')} |",
        "",
        f"Dashboard queries on the warehouse after the daily build, {len(run.queries[CONNECTION])}"
        " cold calls each (ms, slowest p95 first):",
        "",
        "| query | median | p95 | max | ≤ 300 ms p95 |",
        "|---|---:|---:|---:|---|",
    ]
    for name in sorted(p95s, key=lambda n: -p95s[n]):
        seconds = run.queries[name]
        lines.append(
            f"| `{name}` | {1000 * statistics.median(seconds):,.0f} | {1000 * p95s[name]:,.0f} | "
            f"{1000 * max(seconds):,.0f} | {'yes' if p95s[name] <= QUERY_BUDGET else '**no**'} |"
        )
    seconds = run.queries[CONNECTION]
    lines.append(
        f"| *{CONNECTION}, what every call pays first* | {1000 * statistics.median(seconds):,.0f}"
        f" | {1000 * p95(seconds):,.0f} | {1000 * max(seconds):,.0f} | |"
    )
    return [*lines, ""]


def header(command: str) -> list[str]:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        "# What the product costs at each size: builds, reads, and the floor",
        "",
        f"Command: `{command}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {ram:.0f} GiB RAM, "
        f"{platform.platform()}, Python {platform.python_version()}; load average at the end "
        f"{load} (a shared machine: CPU seconds say more than wall seconds); seed 7, as of "
        f"{AS_OF}.",
        "",
        "Per size, through the CLI (`amicable generate --daily`, `amicable build`): the full build"
        f" of every night up to {FULL_AS_OF} (`--as-of` that day), then the first daily build"
        f" (`--as-of {AS_OF - timedelta(days=1)}`, its night's files) and the daily build"
        f" (`--as-of {AS_OF}`, the last night's files) on the same warehouse. The daily build is"
        " the warehouse's third: it writes the slot that holds the full build, so it takes two"
        " nights (the one before, caught up from the published slot, and its own), as every"
        " daily build does once the two slots alternate; the first daily build also copies the"
        " published slot once (`orchestration.publish`). The floor"
        " (`benchmarks/scale_floor.py`) computes the month-end ageing and the monthly DSO and CEI"
        " from the full build's landing files with hand-written DuckDB SQL. Phases are cut at"
        " the arrival of `amicable build`'s progress lines: the stretch before a line goes to"
        " the phase it names, so the start-up row also holds the first source's ingestion (the"
        " build prints no line when it starts).",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo", help="comma-separated: tiny, demo, large, xl")
    parser.add_argument("--query-runs", type=int, default=20)
    parser.add_argument("--debtors", type=int, default=None, help="scale each size's debtors")
    parser.add_argument("--work", type=Path, default=None, help="keep the files under DIR/<size>")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        command = f"uv run python benchmarks/scale.py --sizes {size} --query-runs {args.query_runs}"
        command += f" --debtors {args.debtors}" if args.debtors else ""
        with tempfile.TemporaryDirectory(prefix=f"amicable-scale-{size}-") as tmp:
            work = args.work / size if args.work else Path(tmp)
            if work.exists() and any(work.iterdir()):
                raise SystemExit(f"{work} is not empty: choose another --work folder")
            work.mkdir(parents=True, exist_ok=True)
            run = run_size(size, work, args.query_runs, args.debtors)
        label = f"{size}_{args.debtors}_debtors" if args.debtors else size
        record(f"scale_{label}", header(command) + report(run, args.debtors))


if __name__ == "__main__":
    main()
