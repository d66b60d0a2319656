"""`quality.check_results`: one appended row per check evaluation, written by the checks.

The checks write it themselves, so runs started from `dagster dev` are recorded like those of
`amicable build`. DuckDB allows one writing process per file and one connection mode per file
in a process: a check reads over a read-only connection, closes it, then opens a short
read-write connection only to append its row (never while dbt's subprocess runs: checks run
after the step they check). A lock held by another process is retried for a few seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

TABLE = "quality.check_results"
DDL = f"""
create table if not exists {TABLE} (
    check_name varchar not null,
    asset varchar not null,
    run_id varchar not null,
    evaluated_at timestamp not null,
    status varchar not null,
    blocking boolean not null,
    failing_count bigint not null,
    failing_keys varchar not null,
    description varchar,
    details varchar
)"""
STATUSES = ("pass", "fail", "warn", "skipped")
MAX_KEYS = 20


@dataclass(frozen=True)
class CheckRecord:
    """One check evaluation. `failing_keys`: a sample (<= MAX_KEYS) of the failing rows' keys.

    `status`: pass; fail (the failure blocks publication of the build, `data_quality.policy`);
    warn (failed rows are flagged, or a warning: the build is published); skipped (not
    evaluated: a step it depends on failed).
    `blocking`: whether the check can block publication (level blocking or row).
    `details`: JSON-ready failure details.
    """

    check_name: str
    asset: str
    status: str
    blocking: bool
    failing_count: int
    failing_keys: tuple[str, ...] = ()
    description: str = ""
    details: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists quality")
    con.execute(DDL)


def append(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[CheckRecord],
    run_id: str,
    evaluated_at: datetime | None = None,
) -> None:
    """Append `records` over a read-write connection (creates the table on first use)."""
    ensure_table(con)
    con.executemany(
        f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        table_rows(records, run_id, evaluated_at),
    )


def table_rows(
    records: Sequence[CheckRecord], run_id: str, evaluated_at: datetime | None = None
) -> list[list[object]]:
    """`records` as rows of TABLE, in its column order (on any engine: DDL is portable)."""
    at = evaluated_at or datetime.now(UTC).replace(tzinfo=None)
    return [
        [
            r.check_name,
            r.asset,
            run_id,
            at,
            r.status,
            r.blocking,
            r.failing_count,
            json.dumps(list(r.failing_keys[:MAX_KEYS])),
            r.description,
            json.dumps(r.details, default=str) if r.details else None,
        ]
        for r in records
    ]


def write_with_retry(
    connect: Callable[[], duckdb.DuckDBPyConnection],
    write: Callable[[duckdb.DuckDBPyConnection], None],
    attempts: int = 20,
    pause_seconds: float = 0.25,
) -> None:
    """Open a read-write connection with `connect`, `write` over it in one transaction,
    close; retry while the file is locked by another process (a dashboard or a concurrent
    check)."""
    for attempt in range(1, attempts + 1):
        try:
            with connect() as con:
                con.execute("begin transaction")
                try:
                    write(con)
                except BaseException:
                    con.execute("rollback")
                    raise
                con.execute("commit")
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt == attempts:
                raise
            time.sleep(pause_seconds)


def append_with_retry(
    connect: Callable[[], duckdb.DuckDBPyConnection],
    records: Sequence[CheckRecord],
    run_id: str,
    attempts: int = 20,
    pause_seconds: float = 0.25,
    store: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
) -> None:
    """Append `records`, and what `store` writes for the run, over a short read-write
    connection in one transaction (`write_with_retry`)."""

    def write(con: duckdb.DuckDBPyConnection) -> None:
        if store is not None:
            store(con, run_id)
        append(con, records, run_id)

    write_with_retry(connect, write, attempts, pause_seconds)
