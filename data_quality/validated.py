"""What the raw suites have validated, so that a build validates only the rows that are new.

Raw tables are append-only and every raw row carries the `_batch_id` of the build that loaded
it (one ingestion step per table and build: a batch is complete once its build's checks run).
A suite's verdict on a row never changes, so `data_quality.runner.run_suite_on` validates the
rows of the batches it has not validated yet, keeps each failing row here, and reports every
expectation from all the failures kept for the table.

Two append-only tables in schema `quality`, each row naming the build that appended it
(`run_id`), as every table of `raw` and `quality` does (they are copied between warehouse
files by that column):

- `quality.raw_validations`: one row per validation of a raw table that read rows (or began
  afresh): the suite's fingerprint (`suite_fingerprint`: the suite's JSON, so a changed
  expectation or threshold is another suite), the raw batches validated, whether it validated
  the whole table (`full_validation`: the first validation under a fingerprint, or
  `--full-refresh`) and `validated_at`, which increases with every validation of the warehouse.
- `quality.raw_row_failures`: one row per failing row and expectation (row-level and
  uniqueness expectations), found by the validation of the same `run_id` and `validated_at`:
  the expectation's name, the failing key as reported (`KEY (file:row)`), the row's batch,
  load time, file and row.

What counts for a table and fingerprint is its latest full validation and every validation
since (`Chain`): a full validation starts afresh, so failures found before it, or under another
fingerprint, no longer count.

The SQL checks and the staging models' dbt tests keep their evaluations here too, under
`sql_check.<name>` and `dbt_data_tests.staging` (`data_quality.sql_scope`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
import great_expectations as gx
import pandas as pd

from dashboards.postgres import Connection, PostgresConnection, has_table

VALIDATIONS = "quality.raw_validations"
FAILURES = "quality.raw_row_failures"
VALIDATIONS_DDL = f"""
create table if not exists {VALIDATIONS} (
    run_id varchar not null,
    table_name varchar not null,
    suite_fingerprint varchar not null,
    validated_at timestamp not null,
    full_validation boolean not null,
    raw_batch_ids varchar[] not null,
    rows_validated bigint not null
)"""
# A failing row as kept, with its type: every column of FAILURES after its validation's own.
FAILURE_TYPES = {
    "expectation": "varchar",
    "failing_key": "varchar",
    "raw_batch_id": "varchar",
    "loaded_at": "timestamp",
    "source_file": "varchar",
    "source_row": "bigint",
}
FAILURE_COLUMNS = list(FAILURE_TYPES)
_NOT_NULL = {"expectation", "failing_key"}
FAILURES_DDL = f"""
create table if not exists {FAILURES} (
    run_id varchar not null,
    table_name varchar not null,
    suite_fingerprint varchar not null,
    validated_at timestamp not null,
    {", ".join(f"{c} {t}{' not null' * (c in _NOT_NULL)}" for c, t in FAILURE_TYPES.items())}
)"""
# The order failing rows are listed in (their sample of keys): load order, then file and row.
ORDER = ("loaded_at", "source_file", "source_row", "failing_key")
# Bump when what is stored here changes meaning: every table is then validated afresh.
STATE_VERSION = 1


def suite_fingerprint(suite: gx.ExpectationSuite) -> str:
    """SHA-256 of the suite's JSON (expectations, thresholds, meta), of the GX version that
    evaluates it and of `STATE_VERSION`."""
    text = json.dumps(suite.to_json_dict(), sort_keys=True, default=str)
    digest = hashlib.sha256(f"{STATE_VERSION}\0{gx.__version__}\0{text}".encode())
    return digest.hexdigest()


def _exists(con: Connection) -> bool:
    """Whether the warehouse holds both tables of the validations (none before the first)."""
    return all(has_table(con, *table.split(".")) for table in (VALIDATIONS, FAILURES))


@dataclass(frozen=True)
class Chain:
    """The validations of one table under one fingerprint since its latest full validation."""

    since: datetime  # validated_at of that full validation
    latest: datetime  # validated_at of the newest validation
    batches: frozenset[str | None]  # the raw batches they validated


def chain(con: duckdb.DuckDBPyConnection, table: str, fingerprint: str) -> Chain | None:
    """What counts for `table` under `fingerprint`; None when it was never validated whole."""
    if not _exists(con):
        return None
    rows = con.execute(
        f"""
        select validated_at, raw_batch_ids from {VALIDATIONS}
        where table_name = $table and suite_fingerprint = $fingerprint
            and validated_at >= (
                select max(validated_at) from {VALIDATIONS}
                where table_name = $table and suite_fingerprint = $fingerprint
                    and full_validation
            )
        """,
        {"table": table, "fingerprint": fingerprint},
    ).fetchall()
    if not rows:
        return None
    return Chain(
        since=min(at for at, _ in rows),
        latest=max(at for at, _ in rows),
        batches=frozenset(b for _, batches in rows for b in batches),
    )


@dataclass(frozen=True)
class Stored:
    """The failures that count, per expectation: how many, and the first `limit` in ORDER."""

    counts: dict[str, int]
    samples: dict[str, list[dict[str, object]]]


# The failures that count for $table under $fingerprint: its chain's, from $since on.
_COUNTING = "table_name = $table and suite_fingerprint = $fingerprint and validated_at >= $since"


def code_points(con: Connection) -> str:
    """What follows a text sort key over `con` so that it sorts by code point, as DuckDB and
    Python do, whatever the database's locale: `collate "C"` on PostgreSQL."""
    return ' collate "C"' if isinstance(con, PostgresConnection) else ""


def order_sql(con: Connection) -> str:
    """`ORDER` as SQL over `con` (nulls first, text by code point as `order_key` sorts it)."""
    text = {c for c, kind in FAILURE_TYPES.items() if kind == "varchar"}
    return ", ".join(f"{c}{code_points(con) * (c in text)} nulls first" for c in ORDER)


def counting_failures_sql() -> str:
    """SQL of the failures of expectation $expectation that count for $table under
    $fingerprint since $since (FAILURE_COLUMNS)."""
    return (
        f"select {', '.join(FAILURE_COLUMNS)} from {FAILURES}"
        f" where {_COUNTING} and expectation = $expectation"
    )


def stored_failures(
    con: duckdb.DuckDBPyConnection, table: str, fingerprint: str, since: datetime, limit: int
) -> Stored:
    order = order_sql(con)
    where = _COUNTING
    params = {"table": table, "fingerprint": fingerprint, "since": since}
    counts = con.execute(
        f"select expectation, count(*) from {FAILURES} where {where} group by expectation",
        params,
    ).fetchall()
    sample = con.execute(
        f"select {', '.join(FAILURE_COLUMNS)} from {FAILURES} where {where}"
        f" qualify row_number() over (partition by expectation order by {order}) <= $limit",
        {**params, "limit": limit},
    ).fetchall()
    samples: dict[str, list[dict[str, object]]] = {}
    for row in sample:
        record = dict(zip(FAILURE_COLUMNS, row, strict=True))
        samples.setdefault(str(record["expectation"]), []).append(record)
    return Stored(counts=dict(counts), samples=samples)


def order_key(record: dict[str, object]) -> tuple:
    """`ORDER` in Python, nulls first as in SQL."""
    return tuple((record[c] is not None, record[c]) for c in ORDER)


@dataclass(frozen=True)
class Validation:
    """What one validation found, to append: the batches it validated and its failing rows
    (a frame of FAILURE_COLUMNS). `after`: the chain's latest validation it built on (None
    for a full one)."""

    table: str
    fingerprint: str
    full: bool
    batches: tuple[str | None, ...]
    rows: int
    failures: pd.DataFrame
    after: datetime | None

    def store(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        """Append this validation over a read-write connection. An incremental one whose chain
        moved on meanwhile (another process validated the same rows) appends nothing: the
        other's record stands, and rows it did not see are validated next time."""
        con.execute("create schema if not exists quality")
        con.execute(VALIDATIONS_DDL)
        con.execute(FAILURES_DDL)
        if not self.full:
            current = chain(con, self.table, self.fingerprint)
            if current is None or current.latest != self.after:
                return
        at = _validation_time(con)
        con.execute(
            f"insert into {VALIDATIONS} values (?, ?, ?, ?, ?, ?, ?)",
            [run_id, self.table, self.fingerprint, at, self.full, list(self.batches), self.rows],
        )
        if self.failures.empty:
            return
        con.register("new_raw_row_failures", self.failures[FAILURE_COLUMNS])
        typed = ", ".join(f"cast({c} as {t})" for c, t in FAILURE_TYPES.items())
        try:
            con.execute(
                f"insert into {FAILURES} select $run_id, $table, $fingerprint, $at, {typed}"
                " from new_raw_row_failures",
                {"run_id": run_id, "table": self.table, "fingerprint": self.fingerprint, "at": at},
            )
        finally:
            con.unregister("new_raw_row_failures")


def _validation_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """Now, or just after the latest validation when the clock reads earlier: validations
    stay in the order they happened (a chain is everything from its full validation on)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    latest = con.execute(f"select max(validated_at) from {VALIDATIONS}").fetchone()
    return max(now, latest[0] + timedelta(microseconds=1)) if latest and latest[0] else now
