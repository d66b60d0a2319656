"""Sign-in rules through the real app (`dashboards/app.py`, AppTest): the slow-down after failed
sign-ins that says nothing about whether a user exists, a sign-in that sends the browser to set
its cookie and come back to the addressed page, sessions revoked on sign-out and ended at their
expiry on the server, and a page the role may not open named as such. The cookie itself (set by
`/signin/complete`) is tested in `test_signin_routes.py`; the cookie copied into another browser
and the downloads in `tests/browser/`."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboards.access import OPEN_ENV, USERS_ENV, add_user, load_users
from dashboards.sessions import SessionStore, sessions_path, store_of
from dashboards.signin import ENDED, SESSION_KEY, VIEWER_KEY, WRONG
from tests.conftest import SampleBuild

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "app.py"
TIMEOUT = 60
PASSWORD = "correct-horse-9"
SLOWED = "Too many failed sign-ins for this user name or from this address"


@pytest.fixture
def users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_build: SampleBuild) -> Path:
    """A users file whose second failed sign-in in a row waits ten minutes."""
    path = tmp_path / "users.yml"
    add_user(path, "fiona", "finance", PASSWORD)
    data = yaml.safe_load(path.read_text())
    data["sign_in"] |= {"free_failures": 1, "first_delay_seconds": 600}
    path.write_text(yaml.safe_dump(data))
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv(USERS_ENV, str(path))
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    return path


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def _submit(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    return app.button[0].click().run()


def _store(users: Path) -> SessionStore:
    return store_of(users, load_users(users))


def _ticket(app: AppTest) -> str:
    """The ticket of the address a sign-in sends the browser to (its link, if not sent)."""
    (link,) = app.link_button
    parts = urlsplit(link.proto.url)
    assert parts.path == "/signin/complete"
    (ticket,) = parse_qs(parts.query)["ticket"]
    return ticket


def _sign_in(app: AppTest, username: str, password: str) -> AppTest:
    """Signed in through the form; the run after it (the browser has its cookie)."""
    app = _submit(app, username, password)
    assert not _said(app) and _ticket(app)
    return app.run()


def _said(app: AppTest) -> list[str]:
    return [e.value for e in app.error] + [w.value for w in app.warning]


@pytest.mark.parametrize("username", ["fiona", "nobody"])
def test_after_a_failed_sign_in_even_the_right_password_waits(users: Path, username: str) -> None:
    app = _submit(_app(), username, "wrong-password")
    assert _said(app) == [WRONG]
    app = _submit(app, username, PASSWORD)
    (said,) = _said(app)
    wait = re.fullmatch(f"{SLOWED}: try again in ([0-9]+) s.", said)
    assert wait and 500 < int(wait[1]) <= 600, said
    assert VIEWER_KEY not in app.session_state and not app.title


def test_an_existing_and_an_unknown_user_name_read_the_same_messages(users: Path) -> None:
    seen = {}
    for username in ("fiona", "nobody"):
        sessions_path(users).unlink(missing_ok=True)  # each from a clean slate
        app = _app()
        messages = []
        for password in ("wrong-1", "wrong-2", PASSWORD):
            app = _submit(app, username, password)
            messages += [re.sub("[0-9]+ s[.]", "N s.", text) for text in _said(app)]
        seen[username] = messages
    assert seen["fiona"] == seen["nobody"]
    assert seen["fiona"][0] == WRONG and seen["fiona"][1].startswith(SLOWED)


def test_the_slow_down_holds_for_the_client_across_user_names(users: Path) -> None:
    app = _submit(_app(), "nobody", "wrong-password")
    app = _submit(app, "fiona", PASSWORD)  # another name, the same client
    assert _said(app)[0].startswith(SLOWED)


def test_a_user_added_with_capitals_signs_in_however_the_name_is_typed(
    users: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert add_user(users, "Ann.Audit", "auditor", PASSWORD) == "ann.audit"
    app = _sign_in(_app(), "ANN.audit ", PASSWORD)
    assert app.session_state[VIEWER_KEY].username == "ann.audit"


def test_a_sign_in_sends_the_browser_back_to_the_addressed_page_with_its_parameters(
    users: Path,
) -> None:
    add_user(users, "sam", "supervisor", PASSWORD)
    app = _app()
    app.switch_page("views/flow.py")
    app.query_params["segment"] = "B2C"
    app = _submit(app.run(), "sam", PASSWORD)
    assert not app.title, "nothing drawn before the browser has its cookie"
    handed = _store(users).redeem(_ticket(app), time.time())
    assert handed is not None and handed.next_address == "/flow?segment=B2C"
    assert _store(users).user_of(handed.token, time.time()) == "sam"
    assert handed.token == app.session_state[SESSION_KEY]


def test_signing_out_revokes_the_session_on_the_server(users: Path) -> None:
    app = _sign_in(_app(), "fiona", PASSWORD)
    assert app.title[0].value == "Ledger ageing"
    store = _store(users)
    token = app.session_state[SESSION_KEY]
    assert store.user_of(token, time.time()) == "fiona"
    app.button(key="sign_out").click().run()
    assert store.user_of(token, time.time()) is None
    assert [t.label for t in app.text_input] == ["Username", "Password"] and not app.title


def test_a_session_revoked_elsewhere_ends_at_its_next_run(users: Path) -> None:
    app = _sign_in(_app(), "fiona", PASSWORD)
    assert app.title[0].value == "Ledger ageing"
    _store(users).revoke(app.session_state[SESSION_KEY], time.time())
    app.run()
    assert _said(app) == [ENDED]
    assert not app.title and VIEWER_KEY not in app.session_state


def test_a_session_ends_at_its_expiry_while_the_page_is_open(users: Path) -> None:
    app = _sign_in(_app(), "fiona", PASSWORD)
    expired = _store(users).start("fiona", time.time() - 1, time.time() - 86_400)
    app.session_state[SESSION_KEY] = expired
    app.run()
    assert _said(app) == [ENDED] and not app.title


def test_a_page_the_role_may_not_open_by_its_address_says_not_allowed(users: Path) -> None:
    app = _app()
    app.switch_page("views/breaches.py")
    app = _sign_in(app.run(), "fiona", PASSWORD)
    assert app.title[0].value == "Not allowed"
    (said,) = [e.value for e in app.error]
    assert "finance role may not open Compliance breaches (Auditor pages)" in said
    assert not app.dataframe and not app.metric
