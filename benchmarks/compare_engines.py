"""Build one sample on every engine with `amicable compare-engines` and record what each
engine's build took and whether every table is equal (issue 16).

    uv run python benchmarks/compare_engines.py --postgres postgresql://USER@HOST:PORT/DB \
        [--size tiny|demo] [further compare-engines options, e.g. another engine's]

The PostgreSQL database must be empty (the command refuses one that holds a build). The sample
is generated as of a fixed date in a temporary folder; the command's report (per engine its
build's wall and CPU seconds, per table equal or different) goes to
`benchmarks/results/compare_engines_<size>.md` with this command line and the machine's load
(a shared machine: read the times with it).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from record import record  # benchmarks/record.py: scripts run from this folder

AS_OF = "2026-11-20"  # fixed, so runs on different days build the same data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, metavar="URL")
    parser.add_argument("--size", default="demo")
    args, more = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="compare-engines-") as work:
        command = [sys.executable, "-m", "amicable.cli", "compare-engines"]
        command += ["--postgres", args.postgres, "--size", args.size, "--as-of", AS_OF]
        command += ["--out", work, *more]
        load = os.getloadavg()
        done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
        report = Path(work, "report.md")
        if not report.exists():
            print(f"compare-engines exited {done.returncode} before its report", file=sys.stderr)
            return done.returncode or 1
        body = report.read_text(encoding="utf-8").splitlines()[2:]  # below its title
    shown = " ".join(sys.argv[1:]).replace(args.postgres, _masked(args.postgres))
    record(
        f"compare_engines_{args.size}",
        [
            f"# Engine comparison, {args.size} sample (as of {AS_OF})",
            "",
            f"`uv run python benchmarks/compare_engines.py {shown}` (exit {done.returncode})",
            "",
            f"Machine: {platform.platform()}, {os.cpu_count()} cores, load average "
            f"{load[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (shared).",
            "",
            *body,
        ],
    )
    return done.returncode


def _masked(url: str) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ingestion.source_db import masked

    return masked(url)


if __name__ == "__main__":
    sys.exit(main())
