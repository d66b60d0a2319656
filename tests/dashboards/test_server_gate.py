"""The gate `amicable serve` puts in front of Streamlit (`dashboards/server.py`): downloads
(`/media/...`) and `/_stcore/metrics` answer only a request carrying a live session's cookie.
Served for real in `tests/browser/test_sessions_in_chromium.py`."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest

from dashboards.access import OPEN_ENV, USERS_ENV, add_user, load_users
from dashboards.server import allowed
from dashboards.sessions import SessionStore, sessions_path

MEDIA = "/media/0c1f2e.csv"


@pytest.fixture
def users(tmp_path: Path) -> Path:
    path = tmp_path / "users.yml"
    add_user(path, "ada", "auditor", "correct-horse-9")
    return path


def _cookie(users: Path, expires_at: float) -> dict[str, str]:
    cookie = load_users(users)["cookie"]
    claims = {"username": "ada", "exp_date": expires_at}
    return {cookie["name"]: jwt.encode(claims, cookie["key"], algorithm="HS256")}


def test_a_download_needs_the_cookie_of_a_live_session(users: Path) -> None:
    environ = {USERS_ENV: str(users)}
    expires_at = time.time() + 3600
    cookies = _cookie(users, expires_at)
    assert not allowed(MEDIA, {}, environ)
    assert not allowed(MEDIA, cookies, environ), "a signed cookie of no recorded session"
    store = SessionStore(sessions_path(users))
    sid = store.start("ada", expires_at, time.time())
    assert allowed(MEDIA, cookies, environ)
    assert allowed("/_stcore/metrics", cookies, environ)
    store.revoke(sid, time.time())
    assert not allowed(MEDIA, cookies, environ), "signed out: the copy is worthless"


def test_metrics_are_closed_without_a_session_and_pages_stay_open(users: Path) -> None:
    environ = {USERS_ENV: str(users)}
    assert not allowed("/_stcore/metrics", {}, environ)
    assert allowed("/", {}, environ) and allowed("/_stcore/health", {}, environ)


def test_a_cookie_forged_with_another_key_is_refused(users: Path) -> None:
    expires_at = time.time() + 3600
    SessionStore(sessions_path(users)).start("ada", expires_at, time.time())
    forged = {"amicable_auth": jwt.encode({"username": "ada", "exp_date": expires_at}, "k" * 32)}
    assert not allowed(MEDIA, forged, {USERS_ENV: str(users)})


def test_open_access_lets_every_request_through_and_no_users_file_none(tmp_path: Path) -> None:
    assert allowed(MEDIA, {}, {OPEN_ENV: "1"})
    assert not allowed(MEDIA, {}, {})
    assert not allowed(MEDIA, {}, {USERS_ENV: str(tmp_path / "missing.yml")})
