"""What generating a sample costs: CPU seconds, peak memory and rows per source.

    uv run python benchmarks/generate_scale.py --size xl [--out /tmp/amicable-xl] [--keep]

Runs `amicable generate --size SIZE --seed 7 --as-of 2026-11-20` in a child process and
reads its resource usage when it ends (user + system CPU of the child and of everything it
waited for, peak resident memory), then the rows per source from the sample's own summary.
The floor is `demo` generated the same way in the same run: the ratio to it says more than
one wall time on a shared machine. The output (gigabytes for `xl`) goes to `--out`, outside
the repository, and is removed afterwards unless `--keep`. Writes
`benchmarks/results/generate_<size>.md`.
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
from collections import Counter
from datetime import date
from pathlib import Path

from record import record  # benchmarks/record.py: scripts run from this folder

AS_OF = date(2026, 11, 20)
CONTACT_EVENTS = ("contacts_calls", "contacts_messages", "cases_case_events")


def run_generate(size: str, out: Path, debtors: int | None = None) -> dict[str, float]:
    """Generate `size` into `out` in a child process: wall and CPU seconds, peak MB."""
    cmd = [sys.executable, "-m", "amicable.cli", "generate", "--size", size, "--seed", "7"]
    cmd += ["--as-of", AS_OF.isoformat(), "--out", str(out)]
    if debtors is not None:
        cmd += ["--debtors", str(debtors)]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed with status {status}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,  # Linux reports kilobytes
    }


def volumes(out: Path) -> tuple[Counter, Counter, int]:
    """Rows and files per source table (bank: entries), and bytes written."""
    summary = json.loads((out / "_labels" / "summary.json").read_text(encoding="utf-8"))
    rows: Counter = Counter()
    files: Counter = Counter()
    for rel, n in summary["rows"].items():
        table = summary["tables"][rel] or rel
        rows[table] += n
        files[table] += 1
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return rows, files, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="xl")
    parser.add_argument("--debtors", type=int, default=None, help="scale the size's debtors")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated sample")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix=f"amicable-{args.size}-")) / "landing"
    with tempfile.TemporaryDirectory() as tmp:
        floor = run_generate("demo", Path(tmp) / "demo")
    measured = run_generate(args.size, out, args.debtors)
    rows, files, size = volumes(out)
    if not args.keep:
        shutil.rmtree(out)
    contacts = sum(rows[t] for t in CONTACT_EVENTS)
    command = f"uv run python benchmarks/generate_scale.py --size {args.size}"
    command += f" --debtors {args.debtors}" if args.debtors else ""
    lines = [
        f"# Generating the `{args.size}` sample",
        "",
        f"Command: `{command}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; seed 7, as of {AS_OF}",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| CPU seconds (user + system, process tree) | {measured['cpu']:.1f} |",
        f"| floor: CPU seconds of `demo`, same run | {floor['cpu']:.1f} |",
        f"| ratio to the floor | {measured['cpu'] / floor['cpu']:.1f} |",
        f"| wall seconds (shared machine) | {measured['wall']:.1f} |",
        f"| peak resident memory (MB) | {measured['peak_mb']:.0f} |",
        f"| files written | {sum(files.values()):,} |",
        f"| bytes written | {size / 1e9:.2f} GB |",
        f"| contact events (calls + messages + case events) | {contacts:,} |",
        "",
        "| source table | rows | files |",
        "|---|---:|---:|",
    ]
    lines += [f"| {t} | {rows[t]:,} | {files[t]:,} |" for t in sorted(rows)]
    lines.append("")
    record(f"generate_{args.size}", lines)


if __name__ == "__main__":
    main()
