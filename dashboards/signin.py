"""Sign-in and the current viewer of a session.

`AMICABLE_USERS` names the users file (`amicable serve --users FILE`); `AMICABLE_OPEN=1`
(`amicable serve --open`) skips sign-in and makes everyone admin, for one person's local use.
With neither, nobody gets in.

The users file is streamlit-authenticator's, and the library's `Hasher.check_pw` checks the
password (bcrypt). The rest is ours, because the library's way could not be made safe: it keeps
the sign-in in a cookie that a JavaScript component sets and reads (so never HttpOnly, and a
copy of it signed in until it expired), its form does not hand over the user name typed, and
its `max_login_attempts` counts per existing user, in memory, with a message that tells an
existing user from an unknown one. Ours:

- the form (drawn here), with the slow-down after failed sign-ins per user name and per client
  (`dashboards/sessions.py`, the same message whether the user exists or not);
- server-side sessions (`dashboards/sessions.py`): a successful sign-in starts one, and this
  run sends the browser (Streamlit's redirect message, the one `st.login` uses) to
  `/signin/complete?ticket=...`, a route of `dashboards/server.py` that sets the session's
  cookie in its HTTP response (HttpOnly, SameSite=Strict, Secure over TLS) and sends the
  browser back to the page and query parameters it asked for. A Streamlit run cannot set an
  HttpOnly cookie itself: it talks to the browser over a WebSocket, with no HTTP response;
- every run finds its user through the session store, from the cookie the browser opened the
  page with (`st.context.cookies`) or from the sign-in made in this browser session; a session
  revoked (sign-out, anywhere) or past its expiry ends at the next run;
- sign-out revokes the session and sends the browser to `/signout`, which clears the cookie.
"""

from __future__ import annotations

import functools
import math
import os
import time
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from dashboards.access import (
    OPEN_VIEWER,
    USERS_ENV,
    UsersFileError,
    Viewer,
    canonical_username,
    load_users,
    open_access,
    viewer_of,
)
from dashboards.sessions import SessionStore, SignInSettings, store_of

VIEWER_KEY = "amicable_viewer"
SESSION_KEY = "amicable_session"  # this browser session's session token (None: signed out)
WRONG = "Wrong user name or password."
ENDED = "Your session has ended (signed out or expired): sign in again."
COMPLETE_PATH = "/signin/complete"  # redeems a ticket: sets the cookie (dashboards/server.py)
SIGN_OUT_PATH = "/signout"  # clears the cookie (dashboards/server.py)


def current_viewer() -> Viewer | None:
    """The signed-in viewer of this session (admin in open access), else None."""
    viewer = st.session_state.get(VIEWER_KEY)
    if isinstance(viewer, Viewer):
        return viewer
    return OPEN_VIEWER if open_access() else None


def sign_in(url_path: str = "") -> Viewer | None:
    """The signed-in viewer (with a sign-out button in the sidebar); else draw the sign-in form
    and return None. `url_path` is the addressed page, where a sign-in sends the browser back
    to (with the address's query parameters)."""
    if open_access():
        return OPEN_VIEWER
    users_file = os.environ.get(USERS_ENV, "").strip()
    if not users_file:
        st.error(
            "No users file: start the app with `amicable serve --users FILE` "
            "(or `--open` for local single-user access).",
            icon=":material/lock:",
        )
        return None
    try:
        users = load_users(Path(users_file))
    except UsersFileError as error:
        st.error(str(error), icon=":material/lock:")
        return None
    store = store_of(Path(users_file), users)
    username = _signed_in_user(store, users)
    if username is None:
        st.session_state.pop(VIEWER_KEY, None)
        settings = SignInSettings.from_mapping(users.get("sign_in"), users_file)
        _form(users, settings, store, _address(url_path))
        return None
    viewer = viewer_of(users, username)
    st.session_state[VIEWER_KEY] = viewer
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.name}** ({viewer.role})")
        st.button("Sign out", key="sign_out", on_click=_sign_out, args=(store,))
    return viewer


def _signed_in_user(store: SessionStore, users: dict) -> str | None:
    """The user of this browser session's live session, else None (saying so when a session
    it had has ended). The session's token is the cookie the page was opened with, until a
    sign-in or sign-out in this browser session replaces it."""
    if SESSION_KEY not in st.session_state:
        cookie = st.context.cookies.get(users["cookie"]["name"])
        st.session_state[SESSION_KEY] = cookie if isinstance(cookie, str) else None  # AppTest
    token = st.session_state[SESSION_KEY]
    if not token:
        return None
    username = store.user_of(token, time.time())
    if username in users["credentials"]["usernames"]:
        return username
    st.session_state[SESSION_KEY] = None
    st.warning(ENDED, icon=":material/lock:")
    return None


def _address(url_path: str) -> str:
    """The address of the page `url_path` with this address's query parameters."""
    params = st.query_params
    query = urlencode([(key, value) for key in params for value in params.get_all(key)])
    return f"/{url_path}" + (f"?{query}" if query else "")


def _form(users: dict, settings: SignInSettings, store: SessionStore, next_address: str) -> None:
    """The sign-in form; once a user signs in with it, their session starts and the browser
    goes to set its cookie."""
    holder = st.empty()
    with holder.form("sign_in"):
        st.subheader("Sign in to amicable")
        typed = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Login")
    if not submitted:
        return
    username = canonical_username(typed)
    address = st.context.ip_address  # the peer: behind a proxy, the proxy's
    client = address if isinstance(address, str) and address else "unknown"
    now = time.time()
    wait = store.wait_seconds(username, client, settings, now)
    if wait > 0:
        st.error(
            "Too many failed sign-ins for this user name or from this address: try again in "
            f"{math.ceil(wait)} s.",
            icon=":material/lock:",
        )
        return
    if not _password_is_right(users, username, password):
        store.failed(username, client, now)
        st.error(WRONG, icon=":material/lock:")
        return
    store.succeeded(username)
    token = store.start(username, now + float(users["cookie"]["expiry_days"]) * 86_400, now)
    st.session_state[SESSION_KEY] = token
    complete = f"{COMPLETE_PATH}?{urlencode({'ticket': store.ticket(token, next_address, now)})}"
    holder.empty()
    _send_browser_to(complete)
    st.link_button("Signed in: continue", complete, icon=":material/login:")  # if not sent


def _password_is_right(users: dict, username: str, password: str) -> bool:
    """The library's password check; an unknown user name costs a check too, so the time
    tells nothing."""
    from streamlit_authenticator import Hasher

    user = users["credentials"]["usernames"].get(username)
    right = Hasher.check_pw(password, user["password"] if user else _nobodys_hash())
    return bool(right and user and password)


@functools.cache
def _nobodys_hash() -> str:
    import bcrypt

    return bcrypt.hashpw(b"no such user", bcrypt.gensalt()).decode()


def _sign_out(store: SessionStore) -> None:
    """The sign-out button: the session ends on the server, and the browser goes to clear
    its cookie."""
    store.revoke(st.session_state.get(SESSION_KEY), time.time())
    st.session_state[SESSION_KEY] = None
    st.session_state.pop(VIEWER_KEY, None)
    _send_browser_to(SIGN_OUT_PATH)


def _send_browser_to(address: str) -> None:
    """Send the browser to a server address (not a page of the app), as `st.login` and
    `st.logout` do: Streamlit's `auth_redirect` message, which the browser follows at once.
    There is no public call for it; `st.link_button` would need a click."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if context is not None:
        message = ForwardMsg()
        message.auth_redirect.url = address
        context.enqueue(message)
