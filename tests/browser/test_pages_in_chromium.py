"""Every dashboard page in a real browser (Debian's chromium, headless, through Playwright).

`amicable serve` runs on the sample warehouse; each page is opened, its charts are waited for,
no error element may show, and a screenshot per page is saved to `test-artifacts/screenshots/`
(kept by CI as an artifact). Skipped, saying why, when no chromium is installed
(`apt-get install chromium`); `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.access import add_user
from dashboards.app import PAGES
from tests.conftest import SampleBuild

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("AMICABLE_ARTIFACTS", REPO / "test-artifacts")) / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH: `apt-get install chromium` runs these tests"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(warehouse: Path, *options: str) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "amicable.cli", "serve", "--warehouse", str(warehouse)]
    command += ["--port", str(port), *options]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"`amicable serve` did not start: {output[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def open_app(sample_build: SampleBuild) -> Iterator[str]:
    yield from _serve(sample_build.settings.warehouse, "--open")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


SETTLED_JS = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('.stale-element')"""


def _settle(page) -> None:
    """Wait until the script run is over (no running status, no placeholder skeleton, twice
    half a second apart) and every Plotly chart has drawn."""
    page.wait_for_selector("h1", timeout=PAGE_TIMEOUT_MS)
    for _ in range(2):
        page.wait_for_timeout(500)
        page.wait_for_function(SETTLED_JS, timeout=PAGE_TIMEOUT_MS)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for index in range(charts.count()):
        charts.nth(index).locator(".main-svg").first.wait_for(timeout=PAGE_TIMEOUT_MS)


def _errors(page) -> list[str]:
    selector = '[data-testid="stException"], [data-testid="stAlertContentError"]'
    return [element.inner_text() for element in page.locator(selector).all()]


@pytest.mark.parametrize(("url_path", "title"), [(p.url_path, p.title) for p in PAGES])
def test_each_page_renders_without_error(open_app: str, browser, url_path: str, title: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        start_page = url_path == PAGES[0].url_path  # served at the root address
        page.goto(f"{open_app}/{'' if start_page else url_path}", timeout=PAGE_TIMEOUT_MS)
        _settle(page)
        assert "Page not found" not in page.inner_text("body")
        active = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]')
        assert active.inner_text().splitlines()[-1].strip() == title
        assert _errors(page) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{url_path}.png"), full_page=True)
    finally:
        page.close()


def test_signing_in_in_the_browser_opens_the_roles_pages(
    sample_build: SampleBuild, browser, tmp_path: Path
) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    for url in _serve(sample_build.settings.warehouse, "--users", str(users)):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("textbox", name="Username").fill("fiona", timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("textbox", name="Password").fill("correct-horse-9")
        page.get_by_role("button", name="Login").click()
        _settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Ledger ageing"
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "DSO and CEI" in nav and "Stuck cases" not in nav
        assert _errors(page) == []
        page.close()
