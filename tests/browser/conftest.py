"""Every browser test needs chromium: without it they are skipped, saying why, or fail when
AMICABLE_REQUIRE_BROWSER=1 (`harness.require_chromium`), before the sample is built or a
server started (a session fixture used by all, so first)."""

from __future__ import annotations

import pytest

from tests.browser import harness


@pytest.fixture(scope="session", autouse=True)
def chromium_installed() -> None:
    harness.require_chromium()
