"""Sign-in (streamlit-authenticator) and the current viewer of a session.

`AMICABLE_USERS` names the users file (`amicable serve --users FILE`); `AMICABLE_OPEN=1`
(`amicable serve --open`) skips sign-in and makes everyone admin, for one person's local use.
With neither, nobody gets in.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from dashboards.access import (
    OPEN_VIEWER,
    USERS_ENV,
    UsersFileError,
    Viewer,
    load_users,
    open_access,
    viewer_of,
)

VIEWER_KEY = "amicable_viewer"


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
    authenticator = stauth.Authenticate(
        users["credentials"], cookie["name"], cookie["key"], float(cookie["expiry_days"])
    )
    authenticator.login(location="main", fields={"Form name": "Sign in to amicable"})
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error("Wrong user name or password.")
    if not status:
        st.session_state.pop(VIEWER_KEY, None)
        return None
    viewer = viewer_of(users, st.session_state["username"])
    st.session_state[VIEWER_KEY] = viewer
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.name}** ({viewer.role})")
        authenticator.logout("Sign out", location="sidebar", key="sign_out")
    if not st.session_state.get("authentication_status"):  # just signed out
        st.session_state.pop(VIEWER_KEY, None)
        st.rerun()
    return viewer
