"""Without PostgreSQL, its tests skip with the reason, unless the environment requires them
(AMICABLE_REQUIRE_POSTGRES=1, as .ci/run sets): then they fail."""

from __future__ import annotations

import pytest

from tests.postgres.conftest import REQUIRE_ENV, unavailable


def test_missing_postgres_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not installed"):
        unavailable("PostgreSQL is not installed")


def test_missing_postgres_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="AMICABLE_REQUIRE_POSTGRES=1 requires"):
        unavailable("PostgreSQL is not installed")
