"""How the build writes its Dagster history (runs, events, check evaluations) to the
warehouse's Dagster instance: SQLite files beside the warehouse (`amicable.settings.dagster_home`).

Dagster's SQLite storage opens a connection for every event it stores (a build stores about
1,400: each asset planned and materialised, each of the ~335 dbt tests and the raw suites
evaluated), creating and disposing of an SQLAlchemy engine each time
(`SqliteEventLogStorage._connect`, and `SqliteRunStorage.connect` for the run's records, both
with `NullPool`), and SQLite waits for the disk (fsync) at every commit and every close. While
a build runs, both storages keep one engine per SQLite file instead, with its few pooled
connections (`history_connections_reused`; the engines are disposed when the build ends, so
nothing stays open between builds), and the history is written with SQLite's
`synchronous=OFF`. On the tiny sample's daily build (`benchmarks/dagster_event_log.py`, medians
of alternating runs in one run, `results/dagster_event_log_tiny.md`) the build as shipped takes
88 % of the CPU time it takes with an engine per event, and 92 % of the wall time it takes with
fsync (more on a busy disk).
Without fsync, a build killed or failing loses nothing (the writes are in the operating
system's hands), but a power cut or an operating-system crash during a build can lose or
damage the history of that build; the warehouse, its quality records and its published
snapshot are DuckDB's and are not affected. Remove `<warehouse folder>/dagster/<name>/` to
start a fresh history if Dagster reports the history as damaged.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine


def _without_fsync(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def write_history_without_fsync() -> None:
    """From now on in this process, every SQLite connection SQLAlchemy opens (Dagster's
    instance storage: the only SQLite database of a build) commits without fsync."""
    if not event.contains(Engine, "connect", _without_fsync):
        event.listen(Engine, "connect", _without_fsync)


_ENGINES: dict[str, Engine] = {}  # URL -> engine, while a build runs
_REPLACED: list[tuple[object, object]] = []  # the methods found when the first block began
_USERS = [0]  # builds inside `history_connections_reused` (threads of one process included)
_LOCK = threading.Lock()


def _engine(url: str, **connect_args: object) -> Engine:
    with _LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = create_engine(url, connect_args=connect_args)
        return _ENGINES[url]


@contextlib.contextmanager
def _event_log_connection(storage: SqliteEventLogStorage, shard: str) -> Iterator[Connection]:
    """Dagster's `SqliteEventLogStorage._connect` (lock, first-use schema set-up, one
    transaction) with the shard's engine kept."""
    with storage._db_lock:
        engine = _engine(storage.conn_string_for_shard(shard), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        if shard not in storage._initialized_dbs:
            storage._initdb(engine)
            storage._initialized_dbs.add(shard)
        with engine.connect() as connection, connection.begin():
            yield connection


@contextlib.contextmanager
def _run_storage_connection(storage: SqliteRunStorage) -> Iterator[Connection]:
    """Dagster's `SqliteRunStorage.connect` (one transaction) with the engine kept."""
    with _engine(storage._conn_string).connect() as connection, connection.begin():
        yield connection


@contextlib.contextmanager
def history_connections_reused() -> Iterator[None]:
    """While the block runs, Dagster's SQLite event log and run storage reuse one engine per
    database file (their own methods create and dispose of one per call); when the last
    block of the process ends, the methods found when the first began are back and the
    engines are disposed."""
    with _LOCK:
        _USERS[0] += 1
        if _USERS[0] == 1:
            _REPLACED[:] = [(SqliteEventLogStorage._connect, SqliteRunStorage.connect)]
            SqliteEventLogStorage._connect = _event_log_connection  # type: ignore[method-assign]
            SqliteRunStorage.connect = _run_storage_connection  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _LOCK:
            _USERS[0] -= 1
            if _USERS[0] == 0:
                SqliteEventLogStorage._connect, SqliteRunStorage.connect = _REPLACED.pop()  # type: ignore[method-assign]
                for engine in _ENGINES.values():
                    engine.dispose()
                _ENGINES.clear()
