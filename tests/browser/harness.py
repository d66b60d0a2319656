"""Drive `amicable serve` in headless chromium: shared by the browser tests and
`benchmarks/pages.py`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_ENV = "AMICABLE_REQUIRE_BROWSER"  # "1": no chromium fails the browser tests
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 60_000
# The script run is over: no "running" status, no placeholder skeleton, no stale element.
SETTLED_JS = """() => !!document.querySelector('h1')
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('.stale-element')"""
# Every Plotly chart on the page has drawn (queried afresh on each poll: a rerun replaces them).
CHARTS_DRAWN_JS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(chart => {
        const svg = chart.querySelector('.main-svg');
        return !!svg && svg.getClientRects().length > 0
            && getComputedStyle(svg).visibility !== 'hidden';
    })"""
DRAWN_JS = f"() => ({SETTLED_JS})() && ({CHARTS_DRAWN_JS})()"
ERROR_SELECTOR = '[data-testid="stException"], [data-testid="stAlertContentError"]'


class ServerDidNotStart(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(warehouse: Path, *options: str) -> Iterator[str]:
    """`amicable serve` on a free port until the block ends; yields its address. The server
    runs in its own process group (the CLI starts Streamlit as a child), stopped as a whole."""
    port = _free_port()
    command = [sys.executable, "-m", "amicable.cli", "serve", "--warehouse", str(warehouse)]
    command += ["--port", str(port), *options]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(server, url, log)
            yield url
        finally:
            _stop(server)


def _wait_healthy(server: subprocess.Popen, url: str, log) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise ServerDidNotStart(f"`amicable serve` did not start: {output[-2000:]}")
        time.sleep(0.2)


def _stop(server: subprocess.Popen) -> None:
    for signal_number, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
        try:
            os.killpg(server.pid, signal_number)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def require_chromium() -> None:
    """Skip, saying why, when no chromium is installed; fail instead when the environment
    requires the browser tests (AMICABLE_REQUIRE_BROWSER=1, as `.ci/run` sets)."""
    import pytest

    if CHROMIUM is not None:
        return
    reason = "no chromium on PATH: `apt-get install chromium` runs the browser tests"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires them to run")
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium browser (Playwright, Debian's binary)."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError("no chromium on PATH: `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


def settle(page, confirm_ms: int = 500) -> float:
    """Wait until the page's script run is over and its Plotly charts have drawn; the
    moment (perf_counter) it first looked settled, confirmed `confirm_ms` later."""
    while True:
        page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS, polling=50)
        settled_at = time.perf_counter()
        page.wait_for_timeout(confirm_ms)
        if page.evaluate(DRAWN_JS):
            return settled_at


def errors(page) -> list[str]:
    return [element.inner_text() for element in page.locator(ERROR_SELECTOR).all()]


def address(base: str, url_path: str, start_page: str) -> str:
    """The address of a page; the start page is served at the root."""
    return f"{base}/{'' if url_path == start_page else url_path}"
