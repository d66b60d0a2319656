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

Dagster's SQLite event log also builds a new SQLAlchemy engine, opens a new connection and
disposes of both for every read and write (about three per stored event: the run's file and
the index). A build's instance therefore stores its events through `BuildEventLogStorage`,
the same storage on the same files with one engine per file kept for the life of the
instance (`benchmarks/dagster_event_log.py`). Only the build's instance uses it: the
`dagster.yaml` beside the history is left as Dagster writes it, so `amicable dagster` (and any
Dagster tool) reads the same files with Dagster's own class.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def _without_fsync(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def write_history_without_fsync() -> None:
    """From now on in this process, every SQLite connection SQLAlchemy opens (Dagster's
    instance storage: the only SQLite database of a build) commits without fsync."""
    if not event.contains(Engine, "connect", _without_fsync):
        event.listen(Engine, "connect", _without_fsync)


class BuildEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one file per run and an index file, under `base_dir`) with
    one engine per file, kept until the instance is disposed, instead of an engine built and
    disposed of for every statement. Same files, same schema, same locking: a file's
    connections are pooled by SQLAlchemy, and each statement still runs in its own
    transaction under the storage's lock."""

    def __init__(self, base_dir: str, inst_data=None) -> None:  # noqa: ANN001 (Dagster's)
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):  # noqa: ANN001, ANN206 (Dagster's)
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index file has the table (asked before each asset event is stored):
        through the index file's engine; a table found stays found (Dagster adds tables, it
        does not drop them)."""
        if table_name in self._tables:
            return True
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            found = bool(engine.dialect.has_table(conn, table_name))
        if found:
            self._tables.add(table_name)
        return found

    def dispose(self) -> None:
        super().dispose()
        while self._engines:
            self._engines.popitem()[1].dispose()
