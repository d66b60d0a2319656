"""What `amicable serve` runs: the app (`app.py`) as a Streamlit `st.App`, behind one gate.

Streamlit serves downloads (`st.download_button`) and other media at `/media/<id>` to any
request that knows the address, and keeps a file in memory until two clean-ups after the last
session showing it stopped (each script run and each closed session cleans up; the first marks
a download, the next deletes it): after a sign-out with nothing else running, an exported CSV
stayed reachable without a cookie. `/_stcore/metrics` is always served too (no option turns it
off). The gate (`SignedInOnly`, Starlette middleware, the mechanism `st.App` offers) answers
those paths only to a request carrying the cookie of a live session (`dashboards.sessions`);
with `--open` (no sign-in) it lets everything through.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboards.access import USERS_ENV, UsersFileError, load_users, open_access
from dashboards.sessions import SessionStore, session_of_cookie, sessions_path

GUARDED = ("/media/", "/_stcore/metrics")


def allowed(path: str, cookies: Mapping[str, str], environ: Mapping[str, str]) -> bool:
    """Whether a request for `path` with `cookies` may be answered."""
    if not any(guarded in path for guarded in GUARDED) or open_access(environ):
        return True
    users_file = environ.get(USERS_ENV, "").strip()
    if not users_file:
        return False
    try:
        cookie = load_users(Path(users_file))["cookie"]
    except UsersFileError:
        return False
    sid = session_of_cookie(cookies.get(cookie["name"]), cookie["key"])
    return SessionStore(sessions_path(Path(users_file))).is_live(sid, time.time())


class SignedInOnly:
    """Starlette middleware: guarded paths answer 403 without a live session's cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = HTTPConnection(scope)
            if not allowed(request.url.path, request.cookies, os.environ):
                answer = PlainTextResponse("Sign in to amicable first.", status_code=403)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = st.App(Path(__file__).with_name("app.py"), middleware=[Middleware(SignedInOnly)])
