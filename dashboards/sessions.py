"""Server-side sign-in state: live sessions, one-time sign-in tickets and failed sign-ins, in one
SQLite file beside the users file (`users.yml` -> `users.sessions.db`). No Streamlit here.

A session is a random token, the value of the sign-in cookie (`dashboards/server.py` sets it,
HttpOnly); the store keeps only its HMAC under the users file's `cookie.key`, so the file alone
signs nobody in, and changing the key ends every session. A session is live until it is revoked
(sign-out) or its expiry passes (`cookie.expiry_days` of the users file); every run of a
signed-in page and every download checks that. A ticket carries a new session from the sign-in
form (a Streamlit run, which has no HTTP response to set a cookie on) to the route that sets the
cookie: it is random, used once, and void after `TICKET_SECONDS`.

Failed sign-ins are counted per user name (as typed, whether or not the user exists) and per
client address; after `free_failures` recent failures of either, the next attempt waits
`first_delay_seconds`, doubling with each further failure up to `max_delay_seconds`. Failures
older than `forget_after_minutes` no longer count. The settings are the users file's optional
`sign_in:` section (`SignInSettings`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

TICKET_SECONDS = 60.0  # how long a sign-in ticket may wait for its browser

_SCHEMA = """
create table if not exists sessions (
    session_id text primary key,
    username text not null,
    started_at real not null,
    expires_at real not null,
    revoked_at real
);
create table if not exists failures (
    kind text not null,  -- 'user' or 'client'
    name text not null,
    failed_at real not null
);
create index if not exists failures_by_name on failures (kind, name, failed_at);
create table if not exists tickets (
    ticket_id text primary key,
    token text not null,  -- the session's cookie value, handed over once
    next_address text not null,
    expires_at real not null
);
"""


@dataclass(frozen=True)
class SignInSettings:
    """The users file's `sign_in:` section; every key is optional (these are the defaults)."""

    free_failures: int = 3
    first_delay_seconds: float = 2.0
    max_delay_seconds: float = 900.0
    forget_after_minutes: float = 15.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None, where: str) -> SignInSettings:
        """Settings from a mapping, each value checked; `where` names the file in errors."""
        values = dict(values or {})
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{where}: `sign_in` has no setting {', '.join(unknown)}")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{where}: `sign_in.{name}` must be a number, 0 or more")
        return cls(**values)

    def delay(self, failures: int) -> float:
        """Seconds to wait after the last of `failures` recent failed sign-ins."""
        if failures < self.free_failures:
            return 0.0
        return min(
            self.first_delay_seconds * 2 ** (failures - self.free_failures), self.max_delay_seconds
        )


def sessions_path(users_file: Path) -> Path:
    """The session store beside a users file: `users.yml` -> `users.sessions.db`."""
    return users_file.with_name(f"{users_file.stem}.sessions.db")


def store_of(users_file: Path, users: Mapping[str, Any]) -> SessionStore:
    """The session store of a (validated) users file, keyed with its `cookie.key`."""
    return SessionStore(sessions_path(users_file), str(users["cookie"]["key"]))


@dataclass(frozen=True)
class Ticket:
    """What a redeemed ticket hands over: the cookie's value, until when, and where to go."""

    token: str
    expires_at: float
    next_address: str


class SessionStore:
    """Live sessions, sign-in tickets and failed sign-ins in one SQLite file (created on first
    use, mode 600)."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self._key = key.encode()

    def _id(self, secret: str) -> str:
        return hmac.new(self._key, secret.encode(), hashlib.sha256).hexdigest()

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        new = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            if new:
                self.path.chmod(0o600)
            con.execute("pragma secure_delete = on")  # a redeemed ticket's token is gone
            con.executescript(_SCHEMA)
            with con:  # one transaction
                yield con

    def start(self, username: str, expires_at: float, now: float) -> str:
        """Record a session that starts now; its token (the cookie's value)."""
        token = secrets.token_urlsafe(32)
        with self._db() as con:
            con.execute(
                "insert into sessions values (?, ?, ?, ?, null)",
                (self._id(token), username, now, expires_at),
            )
        return token

    def user_of(self, token: str | None, now: float) -> str | None:
        """The user of a live session (started here, not revoked, not expired), else None."""
        if not token:
            return None
        with self._db() as con:
            live = self._live(con, token, now)
        return live[0] if live else None

    def revoke(self, token: str | None, now: float) -> None:
        """End a session (sign-out): its cookie no longer signs in, anywhere."""
        with self._db() as con:
            if token:
                con.execute(
                    "update sessions set revoked_at = ?"
                    " where session_id = ? and revoked_at is null",
                    (now, self._id(token)),
                )
            con.execute("delete from sessions where expires_at < ?", (now - 86_400,))

    def ticket(self, token: str, next_address: str, now: float) -> str:
        """A one-time ticket that hands `token` to the browser that redeems it within
        `TICKET_SECONDS`, then sends it to `next_address`."""
        ticket = secrets.token_urlsafe(32)
        with self._db() as con:
            con.execute("delete from tickets where expires_at <= ?", (now,))
            con.execute(
                "insert into tickets values (?, ?, ?, ?)",
                (self._id(ticket), token, next_address, now + TICKET_SECONDS),
            )
        return ticket

    def redeem(self, ticket: str | None, now: float) -> Ticket | None:
        """What `ticket` hands over, once: None if it is unknown, used, past its time or its
        session is no longer live."""
        if not ticket:
            return None
        with self._db() as con:
            row = con.execute(
                "delete from tickets where ticket_id = ? returning token, next_address, expires_at",
                (self._id(ticket),),
            ).fetchone()
            if row is None or now >= row[2]:
                return None
            token, next_address, _ = row
            live = self._live(con, token, now)
        return None if live is None else Ticket(token, live[1], next_address)

    def _live(self, con: sqlite3.Connection, token: str, now: float) -> tuple[str, float] | None:
        """The user and expiry of `token`'s session if it is live."""
        return con.execute(
            "select username, expires_at from sessions"
            " where session_id = ? and revoked_at is null and ? < expires_at",
            (self._id(token), now),
        ).fetchone()

    def failed(self, username: str, client: str, now: float) -> None:
        """Count a failed sign-in against the user name and the client."""
        with self._db() as con:
            con.executemany(
                "insert into failures values (?, ?, ?)",
                [("user", username, now), ("client", client, now)],
            )

    def succeeded(self, username: str) -> None:
        """Forget the user name's failures (the client's stay until they are forgotten)."""
        with self._db() as con:
            con.execute("delete from failures where kind = 'user' and name = ?", (username,))

    def wait_seconds(
        self, username: str, client: str, settings: SignInSettings, now: float
    ) -> float:
        """Seconds before the user name and the client may try again (0: now)."""
        since = now - settings.forget_after_minutes * 60
        waits = [0.0]
        with self._db() as con:
            con.execute("delete from failures where failed_at < ?", (since,))
            for kind, name in (("user", username), ("client", client)):
                count, last = con.execute(
                    "select count(*), max(failed_at) from failures where kind = ? and name = ?",
                    (kind, name),
                ).fetchone()
                if count:
                    waits.append(last + settings.delay(count) - now)
        return max(waits)
