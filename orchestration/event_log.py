"""How the build writes its Dagster history (runs, events, check evaluations) to the
warehouse's Dagster instance: SQLite files beside the warehouse (`amicable.settings.dagster_home`).

Dagster's SQLite storage opens a connection for every event it stores (a build stores about
1,400: each asset planned and materialised, each of the ~320 dbt tests and the raw suites
evaluated) and SQLite waits for the disk (fsync) at every commit and at every close: without
those waits the tiny sample's daily build took 83 % of its wall time and 96 % of its CPU time
(`benchmarks/dagster_event_log.py`, medians of alternating runs; more on a busy disk). The
build therefore writes that history with SQLite's
`synchronous=OFF`: a build killed or failing loses nothing (the writes are in the operating
system's hands), but a power cut or an operating-system crash during a build can lose or
damage the history of that build; the warehouse, its quality records and its published
snapshot are DuckDB's and are not affected. Remove `<warehouse folder>/dagster/<name>/` to
start a fresh history if Dagster reports the history as damaged.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def _without_fsync(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def write_history_without_fsync() -> None:
    """From now on in this process, every SQLite connection SQLAlchemy opens (Dagster's
    instance storage: the only SQLite database of a build) commits without fsync."""
    if not event.contains(Engine, "connect", _without_fsync):
        event.listen(Engine, "connect", _without_fsync)
