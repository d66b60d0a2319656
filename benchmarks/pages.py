"""Time each dashboard page's first view in a real browser, on a built warehouse.

    uv run python benchmarks/pages.py [--warehouse data/warehouse.duckdb] [--runs 5]

Serves the warehouse (`amicable serve --open`) and opens every page of
`dashboards.app.PAGES` in headless chromium, timing from the navigation to the moment the
page's script run is over and its charts have drawn (`tests/browser/harness.settle`). *Cold*:
the warehouse file's modification time is bumped first, so every cached query misses (a first
visitor after a build); *warm*: the same view in a new tab (cache hit). Reports the median and
worst of `--runs` runs per page and writes `benchmarks/results/pages_<label>.md`.
Build the demo first: `amicable generate --size demo --as-of 2026-11-20` and `amicable build`.
Needs chromium (`apt-get install chromium`).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from dashboards.app import PAGES
from tests.browser import harness

RESULTS = Path(__file__).parent / "results"
BUDGET_SECONDS = 1.0


def _first_view(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        start = time.perf_counter()
        page.goto(url)
        elapsed = harness.settle(page) - start
        if harness.errors(page):
            sys.exit(f"{url} shows an error: {harness.errors(page)[0]}")
        return elapsed
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="demo", help="names the results file")
    args = parser.parse_args()
    if not args.warehouse.is_file():
        sys.exit(f"no warehouse at {args.warehouse}: build one first (see --help)")
    rows = []
    with harness.serve(args.warehouse, "--open") as base, harness.chromium() as browser:
        for spec in PAGES:
            url = harness.address(base, spec.url_path, PAGES[0].url_path)
            _first_view(browser, url)  # the page's first import and compilation, not counted
            cold, warm = [], []
            for _ in range(args.runs):
                os.utime(args.warehouse)  # a new warehouse version: every cached query misses
                cold.append(_first_view(browser, url))
                warm.append(_first_view(browser, url))
            rows.append((spec, cold, warm))
            print(
                f"{spec.url_path:<12} cold {statistics.median(cold):.3f} s  "
                f"warm {statistics.median(warm):.3f} s",
                flush=True,
            )
    slowest = max(statistics.median(cold) for _, cold, _ in rows)
    verdict = "within" if slowest < BUDGET_SECONDS else "OVER"
    lines = [
        f"# Dashboard pages: first view in a browser, warehouse `{args.label}`",
        "",
        f"Command: `uv run python benchmarks/pages.py --warehouse {args.warehouse} "
        f"--runs {args.runs} --label {args.label}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; headless chromium",
        "",
        f"Budget {BUDGET_SECONDS:.1f} s per page; slowest cold median: **{slowest:.3f} s** "
        f"({verdict} budget).",
        "",
        "| page | cold median (s) | cold worst (s) | warm median (s) |",
        "|---|---|---|---|",
    ]
    for spec, cold, warm in rows:
        lines.append(
            f"| {spec.title} (`/{spec.url_path}`) | {statistics.median(cold):.3f} | "
            f"{max(cold):.3f} | {statistics.median(warm):.3f} |"
        )
    lines += [
        "",
        "Time from navigation to the end of the page's script run with every Plotly chart drawn,"
        " default filters, open access (admin). Cold: cached queries invalidated first.",
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pages_{args.label}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
