"""Sign-in (streamlit-authenticator) and the current viewer of a session.

`AMICABLE_USERS` names the users file (`amicable serve --users FILE`); `AMICABLE_OPEN=1`
(`amicable serve --open`) skips sign-in and makes everyone admin, for one person's local use.
With neither, nobody gets in.

The library checks the password (bcrypt), keeps the signed-in state, signs the
re-authentication cookie (a JWT set from JavaScript, `SameSite=Strict`) and deletes it on
sign-out. Ours, in `dashboards/sessions.py`: the form is drawn here so that the user name is
known before the check (the library's own form does not say it, and its `max_login_attempts`
counts per existing user, in memory, with a message that tells an existing user from an
unknown one), failed sign-ins slow down per user name and per client, and every session is
recorded server-side, checked on each run (and by each download, `dashboards/server.py`) and
revoked on sign-out, so a copy of the cookie is worthless once its session ends.
"""

from __future__ import annotations

import functools
import math
import os
import time
from pathlib import Path
from typing import Any

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
from dashboards.sessions import SessionStore, SignInSettings, session_of_cookie, sessions_path

VIEWER_KEY = "amicable_viewer"
SESSION_KEY = "amicable_session"  # this browser session's server-side session id
WRONG = "Wrong user name or password."
ENDED = "Your session has ended (signed out or expired): sign in again."


def current_viewer() -> Viewer | None:
    """The signed-in viewer of this session (admin in open access), else None."""
    viewer = st.session_state.get(VIEWER_KEY)
    if isinstance(viewer, Viewer):
        return viewer
    return OPEN_VIEWER if open_access() else None


def sign_in() -> Viewer | None:
    """Draw the sign-in form until the user is signed in; then the viewer (with a sign-out
    button in the sidebar). None while nobody is signed in."""
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
    import streamlit_authenticator as stauth

    cookie = users["cookie"]
    store = SessionStore(sessions_path(Path(users_file)))
    authenticator = stauth.Authenticate(
        users["credentials"], cookie["name"], cookie["key"], float(cookie["expiry_days"])
    )
    authenticator.login(location="unrendered")  # the library signs in again by its cookie
    if st.session_state.get("authentication_status") and not _live(store, cookie):
        authenticator.logout(location="unrendered")  # and deletes the cookie in the browser
        st.session_state.pop(SESSION_KEY, None)
        st.warning(ENDED, icon=":material/lock:")
    if not st.session_state.get("authentication_status"):
        st.session_state.pop(VIEWER_KEY, None)
        settings = SignInSettings.from_mapping(users.get("sign_in"), users_file)
        if not _form(authenticator, users, settings, store):
            return None
    viewer = viewer_of(users, st.session_state["username"])
    st.session_state[VIEWER_KEY] = viewer
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.name}** ({viewer.role})")
        authenticator.logout(
            "Sign out",
            location="sidebar",
            key="sign_out",
            callback=lambda _: store.revoke(st.session_state.get(SESSION_KEY), time.time()),
        )
    if not st.session_state.get("authentication_status"):  # just signed out
        st.session_state.pop(VIEWER_KEY, None)
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
    return viewer


def _live(store: SessionStore, cookie: dict[str, Any]) -> bool:
    """Whether this signed-in browser session's server-side session is live. A session signed
    in by its cookie in this run takes its id from the cookie."""
    if SESSION_KEY not in st.session_state:
        token = st.context.cookies.get(cookie["name"])
        st.session_state[SESSION_KEY] = session_of_cookie(token, cookie["key"])
    return store.is_live(st.session_state[SESSION_KEY], time.time())


def _form(authenticator: Any, users: dict, settings: SignInSettings, store: SessionStore) -> bool:
    """The sign-in form; True once the user signed in with it (in this run)."""
    holder = st.empty()
    with holder.form("sign_in"):
        st.subheader("Sign in to amicable")
        typed = st.text_input("Username", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Login")
    if not submitted:
        return False
    username = canonical_username(typed)  # as the library compares it
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
        return False
    if username not in users["credentials"]["usernames"]:
        _check_against_nobody(password)  # as long as a real check: the time tells nothing
    checked = authenticator.authentication_controller  # the library's check and state
    if not (username and password and checked.login(typed, password)):
        store.failed(username, client, now)
        st.error(WRONG, icon=":material/lock:")
        return False
    store.succeeded(username)
    authenticator.cookie_controller.set_cookie()  # the library's re-authentication cookie
    expires_at = authenticator.cookie_controller.cookie_model.exp_date
    st.session_state[SESSION_KEY] = store.start(username, expires_at, now)
    holder.empty()
    return True


@functools.cache
def _nobodys_hash() -> bytes:
    import bcrypt

    return bcrypt.hashpw(b"no such user", bcrypt.gensalt())


def _check_against_nobody(password: str) -> None:
    import bcrypt

    bcrypt.checkpw(password.encode(), _nobodys_hash())
