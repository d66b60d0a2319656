"""The routes that set and clear the sign-in cookie (`dashboards/server.py`), through Starlette's
test client: a ticket from the sign-in form sets an HttpOnly, SameSite=Strict cookie for the
session's life and sends the browser to the page asked for; a ticket works once and only for
a minute, and a bad one gets a short page saying so (400), not a traceback; Secure over TLS or
with `cookie.secure`; `/signout` clears the cookie. The whole sign-in in chromium is in
`tests/browser/test_sessions_in_chromium.py`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboards.access import USERS_ENV, add_user, load_users
from dashboards.server import EXPIRED_TICKET, NO_SIGN_IN, ROUTES, allowed
from dashboards.sessions import TICKET_SECONDS, SessionStore, store_of

DAY = 86_400


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "users.yml"
    add_user(path, "ada", "auditor", "correct-horse-9")
    monkeypatch.setenv(USERS_ENV, str(path))
    return path


def _store(users: Path) -> SessionStore:
    return store_of(users, load_users(users))


def _client(base_url: str = "http://testserver") -> TestClient:
    return TestClient(Starlette(routes=ROUTES), base_url=base_url, follow_redirects=False)


def _attributes(set_cookie: str) -> dict[str, str]:
    """A Set-Cookie header's attributes, lower-cased names (the cookie itself under '')."""
    first, *rest = (part.strip() for part in set_cookie.split(";"))
    attributes = {"": first}
    for part in rest:
        name, _, value = part.partition("=")
        attributes[name.lower()] = value
    return attributes


def test_a_ticket_sets_an_httponly_strict_cookie_and_opens_the_page_asked_for(
    users: Path,
) -> None:
    store = _store(users)
    token = store.start("ada", time.time() + DAY, time.time())
    ticket = store.ticket(token, "/breaches?rule=US-AFTER-CONV&month=2026-11", time.time())
    answer = _client().get("/signin/complete", params={"ticket": ticket})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/breaches?rule=US-AFTER-CONV&month=2026-11"
    assert answer.headers["cache-control"] == "no-store"
    cookie = _attributes(answer.headers["set-cookie"])
    assert cookie[""] == f"amicable_auth={token}"
    assert "httponly" in cookie and cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/" and "secure" not in cookie, "plain HTTP: not Secure"
    assert DAY - 60 < int(cookie["max-age"]) <= DAY, "the session's life"
    assert allowed("/media/x.csv", {"amicable_auth": token}, {USERS_ENV: str(users)})


def test_a_ticket_works_once(users: Path) -> None:
    store = _store(users)
    ticket = store.ticket(store.start("ada", time.time() + DAY, time.time()), "/", time.time())
    client = _client()
    assert client.get("/signin/complete", params={"ticket": ticket}).status_code == 303
    again = client.get("/signin/complete", params={"ticket": ticket})
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert EXPIRED_TICKET in again.text and "Traceback" not in again.text
    assert again.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("ticket", ["late", "made-up", "", None])
def test_a_late_unknown_or_missing_ticket_reads_a_clear_400(users: Path, ticket: str) -> None:
    if ticket == "late":
        store = _store(users)
        long_ago = time.time() - TICKET_SECONDS - 1
        ticket = store.ticket(store.start("ada", time.time() + DAY, long_ago), "/", long_ago)
    params = {} if ticket is None else {"ticket": ticket}
    answer = _client().get("/signin/complete", params=params)
    assert answer.status_code == 400 and "set-cookie" not in answer.headers
    assert EXPIRED_TICKET in answer.text and "href='/'" in answer.text


def test_the_cookie_is_secure_over_tls_or_when_the_users_file_says_so(users: Path) -> None:
    store = _store(users)

    def cookie_over(base_url: str) -> dict[str, str]:
        ticket = store.ticket(store.start("ada", time.time() + DAY, time.time()), "/", time.time())
        answer = _client(base_url).get("/signin/complete", params={"ticket": ticket})
        return _attributes(answer.headers["set-cookie"])

    assert "secure" in cookie_over("https://dashboard.example")
    assert "secure" not in cookie_over("http://dashboard.example")
    data = yaml.safe_load(users.read_text())
    data["cookie"]["secure"] = True  # TLS ends at a proxy this server cannot tell about
    users.write_text(yaml.safe_dump(data))
    assert "secure" in cookie_over("http://dashboard.example")


def test_sign_out_clears_the_cookie(users: Path) -> None:
    answer = _client().get("/signout")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = _attributes(answer.headers["set-cookie"])
    assert cookie[""] in {"amicable_auth=", 'amicable_auth=""'} and cookie["max-age"] == "0"
    assert "httponly" in cookie and cookie["path"] == "/"


def test_without_a_users_file_the_route_says_sign_in_is_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(USERS_ENV, raising=False)
    answer = _client().get("/signin/complete", params={"ticket": "x"})
    assert answer.status_code == 404 and NO_SIGN_IN in answer.text
