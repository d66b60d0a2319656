"""Server-side sign-in state: live sessions and failed sign-ins, in one SQLite file beside the
users file (`users.yml` -> `users.sessions.db`). No Streamlit here.

streamlit-authenticator signs a re-authentication cookie (a JWT of the user name and its expiry
time, set from JavaScript) and deletes it in the browser on sign-out; a copy of it would sign in
until it expires. So a session is also recorded here when it starts, keyed by the user name and
the cookie's expiry time (`session_id`): every run of a signed-in session, every re-sign-in by
cookie and every download (`dashboards/server.py`) checks that it is live, that is neither
revoked (signed out) nor past its expiry (`cookie.expiry_days` of the users file).

Failed sign-ins are counted per user name (as typed, whether or not the user exists) and per
client address; after `free_failures` recent failures of either, the next attempt waits
`first_delay_seconds`, doubling with each further failure up to `max_delay_seconds`. Failures
older than `forget_after_minutes` no longer count. The settings are the users file's optional
`sign_in:` section (`SignInSettings`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jwt

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


def session_id(username: str, expires_at: float) -> str:
    """The key of a session: its user and the expiry time signed into its cookie."""
    return f"{username}@{expires_at!r}"


def session_of_cookie(token: str | None, key: str) -> str | None:
    """The session a re-authentication cookie names, if its signature holds (else None)."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    username, expires_at = claims.get("username"), claims.get("exp_date")
    if not isinstance(username, str) or not isinstance(expires_at, int | float):
        return None
    return session_id(username, float(expires_at))


class SessionStore:
    """Live sessions and failed sign-ins in one SQLite file (created on first use, mode 600)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        new = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            if new:
                self.path.chmod(0o600)
            con.executescript(_SCHEMA)
            with con:  # one transaction
                yield con

    def start(self, username: str, expires_at: float, now: float) -> str:
        """Record a session that starts now; its id."""
        sid = session_id(username, expires_at)
        with self._db() as con:
            con.execute(
                "insert or replace into sessions values (?, ?, ?, ?, null)",
                (sid, username, now, expires_at),
            )
        return sid

    def is_live(self, sid: str | None, now: float) -> bool:
        """Whether `sid` was started here, is not revoked and has not expired."""
        if not sid:
            return False
        with self._db() as con:
            row = con.execute(
                "select expires_at, revoked_at from sessions where session_id = ?", (sid,)
            ).fetchone()
        return row is not None and row[1] is None and now < row[0]

    def revoke(self, sid: str | None, now: float) -> None:
        """End a session (sign-out): its cookie no longer signs in, anywhere."""
        with self._db() as con:
            con.execute(
                "update sessions set revoked_at = ? where session_id = ? and revoked_at is null",
                (now, sid),
            )
            con.execute("delete from sessions where expires_at < ?", (now - 86_400,))

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
