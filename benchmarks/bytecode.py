"""What bytecode compiled at install saves each start of the build and of dbt.

    uv run python benchmarks/bytecode.py [--runs 5]

Two commands every build runs: importing the build's definitions (Dagster, Great Expectations,
dagster-dbt: `python -c "import orchestration.definitions"`) and starting dbt (`dbt parse`
with unchanged vars: a partial parse, mostly dbt's own start). Each is run `--runs` times per
mode, the modes alternating, with PYTHONDONTWRITEBYTECODE=1 (as on the CI machine): `compiled`
reads the bytecode uv wrote at install (`compile-bytecode` in pyproject.toml); `from source`
points Python's bytecode cache at an empty folder (PYTHONPYCACHEPREFIX), so every module is
compiled again, as before. Median CPU seconds of the process tree per command and mode, in
`results/bytecode.md`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

from record import record
from tree_usage import run_measured

ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = ROOT / "dbt_project"


def _commands(scratch: Path) -> dict[str, list[str]]:
    dbt = Path(sys.executable).with_name("dbt")
    parse = [str(dbt), "parse", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    parse += ["--target-path", str(scratch / "target"), "--log-path", str(scratch / "logs")]
    parse += ["--vars", "{as_of: '2026-11-20'}"]
    definitions = [sys.executable, "-c", "import orchestration.definitions"]
    return {"import the build's definitions": definitions, "dbt parse (partial)": parse}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bytecode_"))
    commands = _commands(scratch)
    base = os.environ | {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)}
    modes = {
        "compiled": base,
        "from source": base | {"PYTHONPYCACHEPREFIX": str(scratch / "empty_cache")},
    }
    cpu: dict[tuple[str, str], list[float]] = {}
    run_measured(commands["dbt parse (partial)"], env=base)  # the parse cache, once
    for _ in range(args.runs):
        for mode, env in modes.items():
            for name, command in commands.items():
                usage = run_measured(command, env=env)
                if usage.status != 0:
                    raise SystemExit(f"{name} ({mode}) exited with {usage.status}")
                cpu.setdefault((name, mode), []).append(usage.cpu)
    lines = [
        "# Bytecode compiled at install: the CPU seconds of each start",
        "",
        f"Command: `uv run python benchmarks/bytecode.py --runs {args.runs}`",
        f"Date: {date.today().isoformat()}; machine: {os.cpu_count()} cores, "
        f"{platform.platform()}, Python {platform.python_version()}; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine: read the ratio, "
        "measured alternately in one run).",
        "",
        "| command | compiled: median CPU s | from source: median CPU s | compiled / from source |",
        "|---|---:|---:|---:|",
    ]
    for name in commands:
        done = statistics.median(cpu[(name, "compiled")])
        again = statistics.median(cpu[(name, "from source")])
        lines.append(f"| {name} | {done:.2f} | {again:.2f} | {done / again:.0%} |")
    lines.append("")
    record("bytecode", lines)


if __name__ == "__main__":
    main()
