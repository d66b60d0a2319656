"""Time each dashboard page's first view in a real browser, on a built warehouse.

    uv run python benchmarks/pages.py [--warehouse data/warehouse.duckdb] [--runs 5]

Serves the warehouse (`amicable serve --open`) and opens every page of
`dashboards.app.PAGES` in headless chromium, timing to the moment the page's script run is over
and its charts have drawn (`tests/browser/harness.settle`): from a click on the page in the
sidebar of the loaded app (cold: the warehouse file's modification time bumped first, so every
cached query misses; warm: cached), and from its address in a new tab (which also loads the
front end). Writes the medians to `benchmarks/results/pages_<label>.md`.
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


def _switch_to(page, spec) -> float:
    """Click the page's entry in the sidebar of the loaded app; seconds until its view is
    drawn (the page's script run over, charts drawn)."""
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=spec.title).first
    before = page.locator("h1").first.inner_text()
    start = time.perf_counter()
    link.click()
    page.wait_for_function(  # the new page has drawn its own title (every page has one)
        "before => { const h = document.querySelector('h1'); return h && h.innerText !== before; }",
        arg=before,
        timeout=harness.TIMEOUT_MS,
        polling=20,
    )
    elapsed = harness.settle(page) - start
    if harness.errors(page):
        sys.exit(f"{spec.url_path} shows an error: {harness.errors(page)[0]}")
    return elapsed


# Records (ms since navigation start) when the page's title is first drawn: by then the front
# end has loaded, opened its websocket and drawn the first element of the page's script run.
TITLE_DRAWN_JS = """
new MutationObserver((_, observer) => {
  if (document.querySelector('h1')) {
    window.__titleDrawnMs = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true});
"""


def _first_view(browser, url: str) -> tuple[float, float]:
    """Seconds from opening `url` in a new tab (a new browser context: nothing cached) until
    the view is drawn, and until its title was drawn (the front end's own start-up)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(TITLE_DRAWN_JS)
    try:
        start = time.perf_counter()
        page.goto(url)
        elapsed = harness.settle(page) - start
        if harness.errors(page):
            sys.exit(f"{url} shows an error: {harness.errors(page)[0]}")
        return elapsed, page.evaluate("window.__titleDrawnMs") / 1000
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
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(base)
        harness.settle(tab)
        switch: dict[str, tuple[list[float], list[float]]] = {p.url_path: ([], []) for p in PAGES}
        for _ in range(args.runs):
            for cached in (False, True):
                for spec in (*PAGES[1:], PAGES[0]):  # from the start page round to it
                    if not cached:
                        os.utime(args.warehouse)  # a new version: every cached query misses
                    switch[spec.url_path][cached].append(_switch_to(tab, spec))
        tab.close()
        for spec in PAGES:
            url = harness.address(base, spec.url_path, PAGES[0].url_path)
            cold, title = [], []
            for _ in range(args.runs):
                os.utime(args.warehouse)
                view, title_drawn = _first_view(browser, url)
                cold.append(view)
                title.append(title_drawn)
            cold_switch, warm_switch = switch[spec.url_path]
            rows.append((spec, cold_switch, warm_switch, cold, title))
            print(
                f"{spec.url_path:<12} switch cold {statistics.median(cold_switch):.3f} s, "
                f"warm {statistics.median(warm_switch):.3f} s; by address "
                f"{statistics.median(cold):.3f} s (title {statistics.median(title):.3f} s)",
                flush=True,
            )
    slowest = max(statistics.median(cold) for _, cold, _, _, _ in rows)
    verdict = "within" if slowest < BUDGET_SECONDS else "OVER"
    lines = [
        f"# Dashboard pages: first view in a browser, warehouse `{args.label}`",
        "",
        f"Command: `uv run python benchmarks/pages.py --warehouse {args.warehouse} "
        f"--runs {args.runs} --label {args.label}`",
        f"Date: {date.today()}; machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; headless chromium",
        "",
        f"Budget {BUDGET_SECONDS:.1f} s per page; slowest median first view (cold cache, opened "
        f"from the menu): **{slowest:.3f} s** ({verdict} budget).",
        "",
        "| page | from the menu, cold (s) | worst (s) | from the menu, warm (s) |"
        " by address in a new tab, cold (s) | of which until the title is drawn (s) |",
        "|---|---|---|---|---|---|",
    ]
    for spec, cold, warm, by_address, title in rows:
        lines.append(
            f"| {spec.title} (`/{spec.url_path}`) | {statistics.median(cold):.3f} | "
            f"{max(cold):.3f} | {statistics.median(warm):.3f} | "
            f"{statistics.median(by_address):.3f} | {statistics.median(title):.3f} |"
        )
    lines += [
        "",
        "Medians of the runs. *From the menu*: a click on the page's entry in the sidebar of the"
        " loaded app, until the page's script run is over and its Plotly charts are drawn"
        " (`tests/browser/harness.settle`); *cold*: the warehouse file's modification time"
        " bumped first, so every cached query misses (the first visitor after a build); *warm*:"
        " cached. *By address in a new tab*: the same view opened from its URL in a new tab,"
        " which also loads Streamlit's front end and opens its websocket (a new browser context:"
        " no HTTP cache); *until the title is drawn*: the front end's start-up up to the first"
        " element of the page; the rest is the page's script run plus the first load of the"
        " chart and table components in the browser (Plotly's bundle is 4.7 MB of JavaScript"
        " to parse on first use). Open access (admin), default filters.",
    ]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"pages_{args.label}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
