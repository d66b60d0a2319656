"""Load landing-zone files into DuckDB `raw.*`, quarantining what breaks the contract.

Per file: read (ingestion.readers), validate (ingestion.validate), then in one transaction append
the valid rows to `raw.<table>` with load metadata, the rejected rows to `raw.quarantine` and one
row to `raw._loads` (the load log). A file already in the load log with the same content hash
is skipped, so re-running an ingestion changes nothing. For every file:
rows read = rows loaded + rows quarantined. A file rejected before any row could be read (not
UTF-8, not XML, cannot be opened) has one quarantine record with no row number and counts no rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import SourceTable, raw_table_ddl
from ingestion.readers import read_file
from ingestion.validate import quarantine_frame, validate

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    source_table varchar, source_file varchar, source_row bigint, field varchar,
    value varchar, reason varchar, record varchar, _loaded_at timestamp, _batch_id varchar
)"""
LOADS_DDL = """
create table if not exists raw._loads (
    source_table varchar, source_file varchar, sha256 varchar, status varchar,
    rows_read bigint, rows_loaded bigint, rows_quarantined bigint, reason varchar,
    _loaded_at timestamp, _batch_id varchar
)"""


class LandingError(Exception):
    """The landing zone cannot be read at all (one-line message for the user)."""


@dataclass(frozen=True)
class FileReport:
    source_table: str
    source_file: str
    status: str  # loaded | rejected | already loaded
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reason: str | None = None


@dataclass
class SourceReport:
    source_table: str
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, sources: tuple[SourceTable, ...]) -> None:
    con.execute("create schema if not exists raw")
    for source in sources:
        con.execute(raw_table_ddl(source))
    con.execute(QUARANTINE_DDL)
    con.execute(LOADS_DDL)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_landing(landing: Path) -> None:
    if not landing.is_dir():
        raise LandingError(f"landing folder {landing} does not exist or is not a folder")


def source_files(landing: Path, source: SourceTable) -> list[Path]:
    check_landing(landing)
    # Anything named like a source file but a folder: a broken link or an unreadable file is
    # recorded as such (never skipped in silence).
    return sorted(p for p in (landing / source.folder).glob(source.pattern) if not p.is_dir())


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    source: SourceTable,
    batch_id: str,
    loaded_at: datetime,
) -> SourceReport:
    """Load every file of `source` under `landing`; idempotent per file content."""
    report = SourceReport(source.name)
    for path in source_files(landing, source):
        report.files.append(_ingest_file(con, landing, path, source, batch_id, loaded_at))
    return report


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    path: Path,
    source: SourceTable,
    batch_id: str,
    loaded_at: datetime,
) -> FileReport:
    rel = path.relative_to(landing).as_posix()
    try:
        digest = _sha256(path)
    except OSError as exc:
        return _record_unreadable(
            con, source, rel, f"file unreadable: {exc.strerror}", batch_id, loaded_at
        )
    seen = con.execute(
        "select count(*) from raw._loads where source_table = ? and source_file = ? and sha256 = ?",
        [source.name, rel, digest],
    ).fetchall()
    if seen[0][0]:
        return FileReport(source.name, rel, "already loaded")
    try:
        content = read_file(path, source)
    except OSError as exc:
        return _record_unreadable(
            con, source, rel, f"file unreadable: {exc.strerror}", batch_id, loaded_at
        )
    checked = validate(content.rows, source)
    quarantine = pl.concat([quarantine_frame(content.unparsed), checked.quarantine])
    if content.rejected and quarantine.is_empty():  # nothing row-level to show: one file record
        quarantine = quarantine_frame([{"reason": content.rejected}])
    valid = checked.valid
    status = "rejected" if content.rejected else "loaded"
    meta = [
        pl.lit(rel).alias("_source_file"),
        pl.lit(loaded_at).cast(pl.Datetime("us")).alias("_loaded_at"),
        pl.lit(batch_id).alias("_batch_id"),
    ]
    valid = valid.with_columns(meta[0], meta[1], meta[2])
    quarantine = quarantine.with_columns(pl.lit(source.name).alias("source_table"), *meta)
    rows_quarantined = quarantine.filter(pl.col("source_row").is_not_null()).height
    file_report = FileReport(
        source.name,
        rel,
        status,
        content.rows_read,
        valid.height,
        rows_quarantined,
        content.rejected,
    )
    columns = ", ".join(source.columns + ["_source_file", "_source_row", "_loaded_at", "_batch_id"])
    con.execute("begin transaction")
    try:
        con.register("incoming_rows", valid.to_arrow())
        con.execute(
            f"insert into raw.{source.name} ({columns}) select {columns} from incoming_rows"
        )
        _insert_quarantine(con, quarantine)
        _log(con, file_report, digest, batch_id, loaded_at)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming_rows")
    return file_report


def _insert_quarantine(con: duckdb.DuckDBPyConnection, quarantine: pl.DataFrame) -> None:
    if quarantine.is_empty():
        return
    con.register("incoming_quarantine", quarantine.to_arrow())
    try:
        con.execute(
            "insert into raw.quarantine (source_table, source_file, source_row, field, value,"
            " reason, record, _loaded_at, _batch_id) select source_table, _source_file,"
            " source_row, field, value, reason, record, _loaded_at, _batch_id"
            " from incoming_quarantine"
        )
    finally:
        con.unregister("incoming_quarantine")


def _log(
    con: duckdb.DuckDBPyConnection,
    report: FileReport,
    digest: str | None,
    batch_id: str,
    loaded_at: datetime,
) -> None:
    con.execute(
        "insert into raw._loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.source_table,
            report.source_file,
            digest,
            report.status,
            report.rows_read,
            report.rows_loaded,
            report.rows_quarantined,
            report.reason,
            loaded_at,
            batch_id,
        ],
    )


def _record_unreadable(
    con: duckdb.DuckDBPyConnection,
    source: SourceTable,
    rel: str,
    reason: str,
    batch_id: str,
    loaded_at: datetime,
) -> FileReport:
    """A file that cannot be opened: logged as rejected, retried on the next run."""
    report = FileReport(source.name, rel, "rejected", reason=reason)
    con.execute(
        "insert into raw.quarantine values (?, ?, null, null, null, ?, null, ?, ?)",
        [source.name, rel, reason, loaded_at, batch_id],
    )
    _log(con, report, None, batch_id, loaded_at)
    return report


def quarantine_messages(
    con: duckdb.DuckDBPyConnection, batch_id: str, limit: int = 20
) -> tuple[list[str], int]:
    """One line per record quarantined by a batch (`file:row field=value: reason`), and the total.

    A rejected file is summarised once, not once per row.
    """
    rows = con.execute(
        """
        with batch as (
            select * from raw.quarantine where _batch_id = ?
        ),
        rejected_files as (
            select source_file, any_value(reason) as reason, count(*) as n
            from batch where starts_with(reason, 'file rejected') group by source_file
        ),
        lines as (
            select source_file, source_row,
                source_file || coalesce(':' || source_row, '')
                || coalesce(' ' || field || '=' || coalesce('''' || value || '''', 'null'), '')
                || ': ' || reason as line
            from batch where not starts_with(reason, 'file rejected')
            union all
            select source_file, 0, source_file || ': ' || reason || ' (' || n || ' row(s))'
            from rejected_files
        )
        select line, count(*) over () from lines order by source_file, source_row limit ?
        """,
        [batch_id, limit],
    ).fetchall()
    return [line for line, _ in rows], (rows[0][1] if rows else 0)
