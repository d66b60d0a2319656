"""The server-side sign-in state (`dashboards/sessions.py`): sessions that end on sign-out and
at their expiry, a cookie that names its session only with the right key, and the slow-down
after failed sign-ins per user name and per client. Time is passed in, never waited for."""

from __future__ import annotations

import re
from pathlib import Path

import jwt
import pytest

from dashboards.access import UsersFileError, add_user, load_users
from dashboards.sessions import (
    SessionStore,
    SignInSettings,
    session_id,
    session_of_cookie,
    sessions_path,
)

NOW = 1_800_000_000.0
SETTINGS = SignInSettings(free_failures=3, first_delay_seconds=2, max_delay_seconds=60)


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(sessions_path(tmp_path / "users.yml"))


def test_the_store_lives_beside_the_users_file_readable_by_its_owner_only(
    tmp_path: Path, store: SessionStore
) -> None:
    store.start("fiona", NOW + 60, NOW)
    assert store.path == tmp_path / "users.sessions.db"
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_a_session_is_live_until_it_is_revoked(store: SessionStore) -> None:
    sid = store.start("fiona", NOW + 86_400, NOW)
    other = store.start("sam", NOW + 86_400, NOW)
    assert store.is_live(sid, NOW + 1)
    store.revoke(sid, NOW + 2)
    assert not store.is_live(sid, NOW + 3)
    assert store.is_live(other, NOW + 3), "one sign-out ends one session"


def test_a_session_ends_at_its_expiry(store: SessionStore) -> None:
    sid = store.start("fiona", NOW + 600, NOW)
    assert store.is_live(sid, NOW + 599)
    assert not store.is_live(sid, NOW + 600)


def test_an_unknown_session_is_not_live(store: SessionStore) -> None:
    assert not store.is_live(session_id("fiona", NOW + 600), NOW)
    assert not store.is_live(None, NOW)


def test_a_cookie_names_its_session_only_when_signed_with_the_key() -> None:
    token = jwt.encode({"username": "fiona", "exp_date": NOW + 600.25}, "k" * 32, "HS256")
    assert session_of_cookie(token, "k" * 32) == session_id("fiona", NOW + 600.25)
    assert session_of_cookie(token, "x" * 32) is None
    assert session_of_cookie("not-a-jwt", "k" * 32) is None
    assert session_of_cookie(None, "k" * 32) is None


def test_failed_sign_ins_slow_down_a_user_name_growing_to_the_cap(store: SessionStore) -> None:
    waits = []
    for attempt in range(8):
        store.failed("fiona", f"10.0.0.{attempt}", NOW)  # a new client each time
        waits.append(store.wait_seconds("fiona", "10.0.0.99", SETTINGS, NOW))
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60]


def test_failed_sign_ins_slow_down_a_client_whatever_the_user_names(
    store: SessionStore,
) -> None:
    for attempt in range(4):
        store.failed(f"guess{attempt}", "10.0.0.7", NOW)
    assert store.wait_seconds("someone-else", "10.0.0.7", SETTINGS, NOW) == 4
    assert store.wait_seconds("someone-else", "10.0.0.8", SETTINGS, NOW) == 0


def test_the_wait_counts_from_the_last_failure_and_old_failures_are_forgotten(
    store: SessionStore,
) -> None:
    for _ in range(3):
        store.failed("fiona", "10.0.0.1", NOW)
    assert store.wait_seconds("fiona", "10.0.0.2", SETTINGS, NOW + 1.5) == 0.5
    assert store.wait_seconds("fiona", "10.0.0.2", SETTINGS, NOW + 2) == 0
    store.failed("fiona", "10.0.0.1", NOW + 3)  # a 4th failure: 4 s from it
    assert store.wait_seconds("fiona", "10.0.0.2", SETTINGS, NOW + 4) == 3
    later = NOW + SETTINGS.forget_after_minutes * 60 + 4
    assert store.wait_seconds("fiona", "10.0.0.1", SETTINGS, later) == 0


def test_a_successful_sign_in_clears_the_user_names_failures_not_the_clients(
    store: SessionStore,
) -> None:
    for _ in range(3):
        store.failed("fiona", "10.0.0.1", NOW)
    store.succeeded("fiona")
    assert store.wait_seconds("fiona", "10.0.0.2", SETTINGS, NOW) == 0
    assert store.wait_seconds("sam", "10.0.0.1", SETTINGS, NOW) == 2


def test_a_new_users_file_holds_the_sign_in_settings_and_a_session_life(
    tmp_path: Path,
) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    data = load_users(users)
    assert SignInSettings.from_mapping(data["sign_in"], "x") == SignInSettings()
    assert data["cookie"]["expiry_days"] == 1


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("sign_in:\n  free_failure: 3\n", "`sign_in` has no setting free_failure"),
        ("sign_in:\n  max_delay_seconds: -1\n", "`sign_in.max_delay_seconds` must be a number"),
        ("sign_in:\n  first_delay_seconds: soon\n", "`sign_in.first_delay_seconds` must be"),
    ],
)
def test_a_wrong_sign_in_setting_is_named(tmp_path: Path, section: str, message: str) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    text = users.read_text().replace("sign_in:", "old_sign_in:")
    users.write_text(text + section)
    with pytest.raises(UsersFileError, match=re.escape(message)):
        load_users(users)


def test_a_session_life_of_zero_days_is_refused(tmp_path: Path) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    users.write_text(users.read_text().replace("expiry_days: 1", "expiry_days: 0"))
    with pytest.raises(UsersFileError, match="expiry_days. must be a number of days above 0"):
        load_users(users)
