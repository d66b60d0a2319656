"""What `amicable serve` runs: the app (`app.py`) as a Streamlit `st.App`, with the sign-in
cookie's two routes and one gate (Starlette routes and middleware, the mechanisms `st.App`
offers).

The cookie: a Streamlit run talks to the browser over a WebSocket and cannot set an HttpOnly
cookie, so the sign-in form (`dashboards/signin.py`) starts a server-side session and sends the
browser to `/signin/complete?ticket=...`; that route redeems the one-time ticket
(`dashboards/sessions.py`), sets the session's cookie (HttpOnly, SameSite=Strict, Path=/,
Max-Age the session's remaining life, Secure when the request came over TLS or the users
file's `cookie.secure` is true) and redirects to the page the user asked for. `/signout`
clears the cookie (the sign-out button has revoked its session already).

The gate: Streamlit serves downloads (`st.download_button`) and other media at `/media/<id>` to
any request that knows the address, and keeps a file in memory until two clean-ups after the
last session showing it stopped (each script run and each closed session cleans up; the first
marks a download, the next deletes it): after a sign-out with nothing else running, an exported
CSV stayed reachable without a cookie. `/_stcore/metrics` is always served too (no option turns
it off). `SignedInOnly` answers those paths only to a request carrying the cookie of a live
session; with `--open` (no sign-in) it lets everything through.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboards.access import USERS_ENV, UsersFileError, load_users, open_access
from dashboards.sessions import SessionStore, store_of
from dashboards.signin import COMPLETE_PATH, SIGN_OUT_PATH

GUARDED = ("/media/", "/_stcore/metrics")
EXPIRED_TICKET = (
    "This sign-in link is used up or expired (it works once, within a minute of signing in)."
)
NO_SIGN_IN = "Sign-in is off on this server (no users file)."
NO_STORE: Any = {"Cache-Control": "no-store"}


def _users(environ: Mapping[str, str]) -> tuple[dict, SessionStore] | None:
    """The users file and its session store, or None without a readable one."""
    users_file = environ.get(USERS_ENV, "").strip()
    if not users_file:
        return None
    try:
        users = load_users(Path(users_file))
    except UsersFileError:
        return None
    return users, store_of(Path(users_file), users)


def allowed(path: str, cookies: Mapping[str, str], environ: Mapping[str, str]) -> bool:
    """Whether a request for `path` with `cookies` may be answered."""
    if not any(guarded in path for guarded in GUARDED) or open_access(environ):
        return True
    found = _users(environ)
    if found is None:
        return False
    users, store = found
    return store.user_of(cookies.get(users["cookie"]["name"]), time.time()) is not None


def _cookie_attributes(request: Request, cookie: Mapping[str, Any]) -> dict[str, Any]:
    secure = request.url.scheme == "https" or cookie.get("secure") is True
    return {"path": "/", "secure": secure, "httponly": True, "samesite": "strict"}


def _page(message: str, status_code: int) -> HTMLResponse:
    """A short page for a person: what happened and a link to sign in again."""
    body = (
        "<!doctype html><title>amicable</title>"
        f"<p>{html.escape(message)}</p><p><a href='/'>Sign in to amicable</a></p>"
    )
    return HTMLResponse(body, status_code=status_code, headers=NO_STORE)


def complete_sign_in(request: Request) -> Response:
    """`/signin/complete?ticket=...`: the session's cookie, and back to the page asked for."""
    found = _users(os.environ)
    if found is None:
        return _page(NO_SIGN_IN, 404)
    users, store = found
    now = time.time()
    handed = store.redeem(request.query_params.get("ticket"), now)
    if handed is None:
        return _page(EXPIRED_TICKET, 400)
    answer = RedirectResponse(handed.next_address, status_code=303, headers=NO_STORE)
    cookie = users["cookie"]
    answer.set_cookie(
        cookie["name"],
        handed.token,
        max_age=int(handed.expires_at - now),
        **_cookie_attributes(request, cookie),
    )
    return answer


def clear_cookie(request: Request) -> Response:
    """`/signout`: the cookie deleted in the browser, and back to the sign-in form."""
    answer = RedirectResponse("/", status_code=303, headers=NO_STORE)
    found = _users(os.environ)
    if found is not None:
        cookie = found[0]["cookie"]
        answer.delete_cookie(cookie["name"], **_cookie_attributes(request, cookie))
    return answer


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


ROUTES = [Route(COMPLETE_PATH, complete_sign_in), Route(SIGN_OUT_PATH, clear_cookie)]

app = st.App(
    Path(__file__).with_name("app.py"), routes=ROUTES, middleware=[Middleware(SignedInOnly)]
)
