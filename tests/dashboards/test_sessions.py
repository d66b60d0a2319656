"""The server-side sign-in state (`dashboards/sessions.py`): sessions that end on sign-out and
at their expiry, tokens stored only as their HMAC under the users file's key, one-time tickets
that expire, and the slow-down after failed sign-ins per user name and per client. Time is
passed in, never waited for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboards.access import UsersFileError, add_user, load_users
from dashboards.sessions import (
    TICKET_SECONDS,
    SessionStore,
    SignInSettings,
    sessions_path,
    store_of,
)

NOW = 1_800_000_000.0
SETTINGS = SignInSettings(free_failures=3, first_delay_seconds=2, max_delay_seconds=60)
KEY = "k" * 64


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SessionStore(sessions_path(tmp_path / "users.yml"), KEY)


def test_the_store_lives_beside_the_users_file_readable_by_its_owner_only(
    tmp_path: Path, store: SessionStore
) -> None:
    store.start("fiona", NOW + 60, NOW)
    assert store.path == tmp_path / "users.sessions.db"
    assert store.path.stat().st_mode & 0o777 == 0o600


def test_a_session_is_live_until_it_is_revoked(store: SessionStore) -> None:
    token = store.start("fiona", NOW + 86_400, NOW)
    other = store.start("fiona", NOW + 86_400, NOW)  # the same user in another browser
    assert token != other
    assert store.user_of(token, NOW + 1) == "fiona"
    store.revoke(token, NOW + 2)
    assert store.user_of(token, NOW + 3) is None
    assert store.user_of(other, NOW + 3) == "fiona", "one sign-out ends one session"


def test_a_session_ends_at_its_expiry(store: SessionStore) -> None:
    token = store.start("fiona", NOW + 600, NOW)
    assert store.user_of(token, NOW + 599) == "fiona"
    assert store.user_of(token, NOW + 600) is None


def test_an_unknown_token_signs_nobody_in(store: SessionStore) -> None:
    store.start("fiona", NOW + 600, NOW)
    assert store.user_of("made-up", NOW) is None
    assert store.user_of(None, NOW) is None and store.user_of("", NOW) is None


def test_the_store_keeps_no_token_and_another_key_reads_no_session(
    tmp_path: Path, store: SessionStore
) -> None:
    token = store.start("fiona", NOW + 600, NOW)
    ticket = store.ticket(token, "/", NOW)
    assert token.encode() in store.path.read_bytes(), "held for its ticket, until redeemed"
    assert store.redeem(ticket, NOW) is not None
    held = store.path.read_bytes()
    assert token.encode() not in held and ticket.encode() not in held
    ticket = store.ticket(token, "/", NOW)
    rekeyed = SessionStore(store.path, "another key")
    assert rekeyed.user_of(token, NOW) is None, "a new cookie.key ends every session"
    assert rekeyed.redeem(ticket, NOW) is None


def test_a_ticket_hands_its_session_over_once(store: SessionStore) -> None:
    token = store.start("fiona", NOW + 600, NOW)
    ticket = store.ticket(token, "/flow?segment=B2C", NOW)
    handed = store.redeem(ticket, NOW + 1)
    assert handed is not None
    assert (handed.token, handed.expires_at, handed.next_address) == (
        token,
        NOW + 600,
        "/flow?segment=B2C",
    )
    assert store.redeem(ticket, NOW + 2) is None, "used once"


def test_a_ticket_expires(store: SessionStore) -> None:
    token = store.start("fiona", NOW + 600, NOW)
    late = store.ticket(token, "/", NOW)
    assert store.redeem(late, NOW + TICKET_SECONDS) is None
    in_time = store.ticket(token, "/", NOW)
    assert store.redeem(in_time, NOW + TICKET_SECONDS - 1) is not None


def test_a_ticket_of_an_ended_session_hands_nothing_over(store: SessionStore) -> None:
    token = store.start("fiona", NOW + 600, NOW)
    ticket = store.ticket(token, "/", NOW)
    store.revoke(token, NOW + 1)
    assert store.redeem(ticket, NOW + 2) is None
    assert store.redeem("made-up", NOW) is None and store.redeem(None, NOW) is None


def test_a_new_cookie_key_in_the_users_file_ends_every_session(tmp_path: Path) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    token = store_of(users, load_users(users)).start("fiona", NOW + 600, NOW)
    assert store_of(users, load_users(users)).user_of(token, NOW) == "fiona"
    users.write_text(re.sub(r"key: \S+", "key: a-new-key", users.read_text()))
    assert store_of(users, load_users(users)).user_of(token, NOW) is None


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


def test_cookie_secure_must_be_true_or_false(tmp_path: Path) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", "correct-horse-9")
    text = users.read_text()
    users.write_text(text.replace("expiry_days: 1", "expiry_days: 1\n  secure: true"))
    assert load_users(users)["cookie"]["secure"] is True
    users.write_text(text.replace("expiry_days: 1", "expiry_days: 1\n  secure: 'yes'"))
    with pytest.raises(UsersFileError, match="`cookie.secure` must be true or false"):
        load_users(users)
