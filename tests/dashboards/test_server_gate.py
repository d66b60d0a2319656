"""The gate `amicable serve` puts in front of Streamlit (`dashboards/server.py`): downloads
(`/media/...`) and `/_stcore/metrics` answer only a request carrying a live session's cookie.
Served for real in `tests/browser/test_sessions_in_chromium.py`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboards.access import OPEN_ENV, USERS_ENV, add_user, load_users
from dashboards.server import allowed
from dashboards.sessions import SessionStore, sessions_path, store_of

MEDIA = "/media/0c1f2e.csv"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.yml"
    add_user(path, "ada", "auditor", "correct-horse-9")
    return path


def _cookie(users: Path, token: str) -> dict[str, str]:
    return {load_users(users)["cookie"]["name"]: token}


def test_a_download_needs_the_cookie_of_a_live_session(users: Path) -> None:
    environ = {USERS_ENV: str(users)}
    store = store_of(users, load_users(users))
    token = store.start("ada", time.time() + 3600, time.time())
    assert not allowed(MEDIA, {}, environ)
    assert not allowed(MEDIA, _cookie(users, "made-up-token"), environ)
    assert allowed(MEDIA, _cookie(users, token), environ)
    assert allowed("/_stcore/metrics", _cookie(users, token), environ)
    store.revoke(token, time.time())
    assert not allowed(MEDIA, _cookie(users, token), environ), "signed out: the copy is worthless"


def test_metrics_are_closed_without_a_session_and_pages_stay_open(users: Path) -> None:
    environ = {USERS_ENV: str(users)}
    assert not allowed("/_stcore/metrics", {}, environ)
    assert allowed("/", {}, environ) and allowed("/_stcore/health", {}, environ)


def test_a_session_started_under_another_key_is_refused(users: Path) -> None:
    token = SessionStore(sessions_path(users), "k" * 64).start(
        "ada", time.time() + 3600, time.time()
    )
    assert not allowed(MEDIA, _cookie(users, token), {USERS_ENV: str(users)})


def test_open_access_lets_every_request_through_and_no_users_file_none(tmp_path: Path) -> None:
    assert allowed(MEDIA, {}, {OPEN_ENV: "1"})
    assert not allowed(MEDIA, {}, {})
    assert not allowed(MEDIA, {}, {USERS_ENV: str(tmp_path / "missing.yml")})
