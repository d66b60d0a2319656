"""Without chromium the browser tests (tests/browser/) are skipped, saying why, unless the
environment requires them (AMICABLE_REQUIRE_BROWSER=1, as `.ci/run` sets): then they fail.
Outside tests/browser/, whose autouse fixture would skip this test where chromium is missing."""

from __future__ import annotations

import pytest

from tests.browser import harness


def test_no_chromium_skips_or_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "CHROMIUM", None)
    monkeypatch.delenv(harness.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        harness.require_chromium()
    monkeypatch.setenv(harness.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="AMICABLE_REQUIRE_BROWSER=1 requires"):
        harness.require_chromium()
