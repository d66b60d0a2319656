"""PostgreSQL as the warehouse (issue 16): its connection, and the raw layer shipped into it
by bulk COPY.

`amicable build --warehouse postgresql://USER@HOST:PORT/DB` names the warehouse by a URL
(`amicable.warehouse_ref`, read once in the CLI); a bad URL, a server that does not answer or a
refused login is one line.

The raw layer reaches PostgreSQL through the same ingestion code as a DuckDB warehouse
(`ingestion.load`: contracts, quarantine, content-hash idempotency): each build ingests into a
scratch DuckDB file whose `raw._loads` and `raw._hashes` are first filled with PostgreSQL's (so
a file whose content was loaded before is recognised, whatever the scratch file held before, and
a file skipped for another's content is not read again), then ships the rows of its batch,
`raw.<table>`, `raw.quarantine`, `raw._hashes` and `raw._loads`, by one `COPY ... FROM STDIN`
(CSV) per table, all in one PostgreSQL transaction: a failure leaves nothing of the batch, and a
batch whose `_batch_id` is already in PostgreSQL's `raw._loads` is not shipped again. A transaction
advisory lock keeps two builds from shipping at once; a build that ingested against a load log
another build has since extended stops with one line (nothing shipped) instead of loading the
same file twice.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from amicable.warehouse_ref import PostgresWarehouse, WarehouseError
from ingestion.contracts import RAW_TYPES, SOURCES, raw_table_ddl
from ingestion.load import HASHES_DDL, LOADS_DDL, QUARANTINE_DDL
from ingestion.source_db import _libpq_line

SCHEMA = "raw"
# `raw._loads` columns in order (ingestion.load.LOADS_DDL).
LOADS_COLUMNS = (
    "source_table", "source_file", "sha256", "status", "rows_read", "rows_loaded",
    "rows_quarantined", "reason", "_loaded_at", "_batch_id", "file_size", "file_mtime_ns",
)  # fmt: skip
_LOADS_TYPES = (
    "varchar", "varchar", "varchar", "varchar", "bigint", "bigint", "bigint", "varchar",
    "timestamp", "varchar", "bigint", "bigint",
)  # fmt: skip
# `raw._hashes` columns in order (ingestion.load.HASHES_DDL): the hashes of files skipped for
# another file's content, so that the next build does not read them again.
HASHES_COLUMNS = (
    "source_table", "source_file", "sha256", "file_size", "file_mtime_ns", "_loaded_at",
    "_batch_id",
)  # fmt: skip
_HASHES_TYPES = ("varchar", "varchar", "varchar", "bigint", "bigint", "timestamp", "varchar")
SHIP_LOCK = "amicable raw layer"  # the advisory lock's name (hashed to its key)


@contextlib.contextmanager
def connect(warehouse: PostgresWarehouse) -> Iterator:
    """A psycopg2 connection to the warehouse (closed at the end); a failure to connect is one
    line naming the masked URL."""
    import psycopg2

    try:
        con = psycopg2.connect(warehouse.url, connect_timeout=10)
    except psycopg2.Error as exc:
        raise WarehouseError(
            f"warehouse {warehouse.masked}: cannot connect: {_libpq_line(exc)}"
        ) from None
    try:
        yield con
    finally:
        con.close()


def check(warehouse: PostgresWarehouse) -> None:
    """Connect once and create the raw layer's tables: a fault stops the build before anything
    is loaded, in one line."""
    import psycopg2

    with connect(warehouse) as con:
        try:
            with con, con.cursor() as cur:
                ensure_raw_tables(cur)
        except psycopg2.Error as exc:
            raise WarehouseError(
                f"warehouse {warehouse.masked}: cannot create the raw layer: {_libpq_line(exc)}"
            ) from None


def ensure_raw_tables(cur) -> None:
    """The raw schema's tables as `ingestion.load.ensure_raw_schema` makes them in DuckDB (the
    same DDL, which PostgreSQL accepts), a contract field added since as a new column."""
    cur.execute(f"create schema if not exists {SCHEMA}")
    for source in SOURCES:
        cur.execute(raw_table_ddl(source, SCHEMA))
        for f in source.fields:
            cur.execute(
                f"alter table {SCHEMA}.{source.name} add column if not exists"
                f" {f.name} {RAW_TYPES[f.kind]}"
            )
    cur.execute(QUARANTINE_DDL)
    cur.execute(LOADS_DDL)
    cur.execute(HASHES_DDL)


def read_loads(cur, duck: duckdb.DuckDBPyConnection, work: Path) -> int:
    """Fill the scratch DuckDB's (empty) `raw._loads` and `raw._hashes` with PostgreSQL's, in
    load order: the index `ingestion.load` recognises loaded files by, and the hashes of the
    files it skipped. Returns the rows of `raw._loads` read."""
    _read_table(cur, duck, work, "_loads", dict(zip(LOADS_COLUMNS, _LOADS_TYPES, strict=True)))
    _read_table(cur, duck, work, "_hashes", dict(zip(HASHES_COLUMNS, _HASHES_TYPES, strict=True)))
    return int(duck.execute(f"select count(*) from {SCHEMA}._loads").fetchone()[0])


def _read_table(cur, duck: duckdb.DuckDBPyConnection, work: Path, table: str, types: dict) -> None:
    """PostgreSQL's `raw.<table>` into the scratch DuckDB's, by COPY to a CSV file."""
    csv = work / f"{table}_from_postgres.csv"
    columns = ", ".join(types)
    with csv.open("w", encoding="utf-8") as out:
        cur.copy_expert(
            f"copy (select {columns} from {SCHEMA}.{table} order by _loaded_at)"
            " to stdout with (format csv, header true)",
            out,
        )
    duck.execute(
        f"insert into {SCHEMA}.{table} ({columns}) select {columns} from read_csv(?, header = true,"
        " columns = $types, allow_quoted_nulls = false)".replace("$types", repr(types)),
        [str(csv)],
    )


def _tables() -> list[str]:
    """The tables a batch writes, `raw._loads` last (a batch is shipped once its log is)."""
    return [s.name for s in SOURCES] + ["quarantine", "_hashes", "_loads"]


def ship_batch(
    warehouse: PostgresWarehouse, duck: duckdb.DuckDBPyConnection, batch_id: str, loads_seen: int
) -> dict[str, int]:
    """Copy the rows of batch `batch_id` from the scratch DuckDB into PostgreSQL's raw layer,
    in one transaction; returns the rows copied per table (empty when PostgreSQL already has
    the batch). `loads_seen`: the rows of PostgreSQL's `raw._loads` the ingestion was checked
    against (`read_loads`); if another build has shipped since, nothing is shipped."""
    import psycopg2

    copied: dict[str, int] = {}
    with (
        connect(warehouse) as con,
        tempfile.TemporaryDirectory(prefix="amicable-ship-") as work,
    ):
        try:
            with con, con.cursor() as cur:  # the transaction: committed at the end
                cur.execute("select pg_advisory_xact_lock(hashtext(%s))", [SHIP_LOCK])
                cur.execute(
                    f"select count(*) from {SCHEMA}._loads where _batch_id = %s", [batch_id]
                )
                if cur.fetchone()[0]:
                    return {}
                cur.execute(f"select count(*) from {SCHEMA}._loads")
                if cur.fetchone()[0] != loads_seen:
                    raise WarehouseError(
                        f"warehouse {warehouse.masked}: another build loaded files while this one"
                        " ingested; nothing shipped, build again"
                    )
                for table in _tables():
                    copied[table] = _copy_table(cur, duck, table, batch_id, Path(work))
        except psycopg2.Error as exc:
            raise WarehouseError(
                f"warehouse {warehouse.masked}: raw layer not loaded (nothing shipped): "
                f"{_libpq_line(exc)}"
            ) from None
    return copied


def _copy_table(cur, duck: duckdb.DuckDBPyConnection, table: str, batch_id: str, work: Path) -> int:
    """One `COPY ... FROM STDIN` of the batch's rows of `table`, written as CSV by DuckDB (it
    quotes an empty string and leaves NULL empty, which is how PostgreSQL's CSV format tells
    them apart)."""
    relation = duck.sql(
        f"select * from {SCHEMA}.{table} where _batch_id = $batch", params={"batch": batch_id}
    )
    csv = work / f"{table}.csv"
    relation.write_csv(str(csv))
    with csv.open(encoding="utf-8") as rows:
        cur.copy_expert(
            f"copy {SCHEMA}.{table} ({', '.join(relation.columns)}) from stdin"
            " with (format csv, header true)",
            rows,
        )
    return cur.rowcount
