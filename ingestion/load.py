"""Load landing-zone files into DuckDB `raw.*`, quarantining what breaks the contract.

Per file: read (ingestion.readers), validate (ingestion.validate), then in one transaction append
the valid rows to `raw.<table>` with load metadata, the rejected rows to `raw.quarantine` and one
row to `raw._loads` (the load log). Every file of the landing zone gets its load-log row, loaded
or not (`ingestion.landing` says which source records it and why it is not loaded).

For every file: rows read = rows loaded + rows quarantined. A file that is not loaded but can be
read with its source's reader (wrong header, no extraction timestamp, a name matching no
pattern) has each of its rows quarantined with the reason; a file rejected before any row could
be read (not UTF-8, not XML, a folder, cannot be opened) has one quarantine record with no row
number and counts no rows.

Re-ingesting changes nothing: a file is skipped when its content is already the latest load of
its own name, or the latest load of another file of the same source that was loaded with the
same or a later extraction time (the same content sent again under a new name), or the content
of the source's latest earlier extraction (a snapshot sent again unchanged, nothing between).
The same content as an earlier extraction with another one since is loaded: a record changed
and changed back (A, B, then A again) must end at A, and staging orders versions by extraction
time. A file changed in
place, or changed back, is loaded again: its newer load wins in staging (`_loaded_at`), so a
corrected file always clears a mistake.

A file whose size and modification time (ns) equal those of its name's latest load is not read
again: that load's SHA-256 stands for its content (a daily build does not re-hash years of
files). So does a file skipped for another file's content: its SHA-256, size and modification
time go to `raw._hashes` (only a cache of hashes: whether it loads is decided again at every
ingestion, since a late earlier extraction can make it load), so a nightly full snapshot
skipped night after night is hashed once. Any other file is hashed, and the hash decides, as
above.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from ingestion.contracts import RAW_TYPES, SourceTable, raw_table_ddl
from ingestion.landing import (
    STAMP_FORMAT,
    STAMP_PATTERN,
    LandingError,
    LandingFile,
    check_landing,
    extracted_at,
    source_files,
)
from ingestion.readers import FileContent, read_file, string_frame
from ingestion.validate import quarantine_frame, validate

__all__ = ["LandingError", "check_landing", "ensure_raw_schema", "ingest_source"]

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    source_table varchar, source_file varchar, source_row bigint, field varchar,
    value varchar, reason varchar, record varchar, _loaded_at timestamp, _batch_id varchar
)"""
LOADS_DDL = """
create table if not exists raw._loads (
    source_table varchar, source_file varchar, sha256 varchar, status varchar,
    rows_read bigint, rows_loaded bigint, rows_quarantined bigint, reason varchar,
    _loaded_at timestamp, _batch_id varchar, file_size bigint, file_mtime_ns bigint
)"""


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


HASHES_DDL = """
create table if not exists raw._hashes (
    source_table varchar, source_file varchar, sha256 varchar, file_size bigint,
    file_mtime_ns bigint, _loaded_at timestamp, _batch_id varchar
)"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, sources: tuple[SourceTable, ...]) -> None:
    con.execute("create schema if not exists raw")
    for source in sources:
        con.execute(raw_table_ddl(source))
        _add_extracted_at(con, source)
        _add_new_fields(con, source)
    con.execute(QUARANTINE_DDL)
    con.execute(LOADS_DDL)
    con.execute(HASHES_DDL)
    for column in ("file_size", "file_mtime_ns"):  # a load log from before they existed
        con.execute(f"alter table raw._loads add column if not exists {column} bigint")
    # a hash cache from before the batch id: catch-up carries history tables by it
    con.execute("alter table raw._hashes add column if not exists _batch_id varchar")


def _add_extracted_at(con: duckdb.DuckDBPyConnection, source: SourceTable) -> None:
    """A raw table created before `_extracted_at` existed gets it, filled from `_source_file`
    (null for a file without an extraction timestamp: such versions sort before every other)."""
    present = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw'"
        " and table_name = ? and column_name = '_extracted_at'",
        [source.name],
    ).fetchall()[0][0]
    if present:
        return
    con.execute(f"alter table raw.{source.name} add column _extracted_at timestamp")
    con.execute(
        f"update raw.{source.name} set _extracted_at = try_strptime("
        "upper(regexp_extract(_source_file, ?, 1)), ?)",
        [STAMP_PATTERN, STAMP_FORMAT],
    )


def _add_new_fields(con: duckdb.DuckDBPyConnection, source: SourceTable) -> None:
    """A raw table created before a contract field existed gets it, null in the rows loaded
    before (staging says what such a null means, e.g. a bank entry's `is_reversal`)."""
    for f in source.fields:
        con.execute(
            f"alter table raw.{source.name} add column if not exists {f.name} {RAW_TYPES[f.kind]}"
        )


def load_time(con: duckdb.DuckDBPyConnection, now: datetime) -> datetime:
    """The `_loaded_at` of a new load: `now`, or just after the warehouse's latest load when
    the clock reads earlier (a clock set back), so that loads stay in the order they
    happened: incremental staging takes the rows loaded after the latest it holds."""
    latest = con.execute("select max(_loaded_at) from raw._loads").fetchone()[0]
    return max(now, latest + timedelta(microseconds=1)) if latest else now


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    source: SourceTable,
    batch_id: str,
    loaded_at: datetime,
) -> SourceReport:
    """Load every file of `source` under `landing`, and record the landing-zone files `source`
    accounts for without loading them; idempotent per file content."""
    report = SourceReport(source.name)
    index = _LoadIndex.read(con, source)
    for entry in source_files(landing, source):
        report.files.append(_ingest_file(con, entry, batch_id, loaded_at, index))
    return report


@dataclass
class _LoadIndex:
    """`raw._loads` of one source, read once per ingestion and kept up to date as files load
    (one query per file made recognising a few thousand nightly files cost seconds)."""

    latest: dict[str, tuple[str | None, str]]  # file -> (sha256, status) of its latest load
    hashed: dict[str, tuple[str, int | None, int | None]]  # file -> (sha256, size, mtime_ns)
    times: dict[str, datetime | None] = field(default_factory=dict)  # file -> extraction time

    def extracted(self, rel: str) -> datetime | None:
        """The extraction time in `rel`'s name, parsed once per ingestion."""
        if rel not in self.times:
            self.times[rel] = extracted_at(rel)
        return self.times[rel]

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, source: SourceTable) -> _LoadIndex:
        latest_load = """
            select source_file, sha256, status, file_size, file_mtime_ns from raw._loads
            where source_table = $source {hashed}
            qualify row_number() over (
                partition by source_file order by _loaded_at desc, rowid desc
            ) = 1
        """
        rows = con.execute(latest_load.format(hashed=""), {"source": source.name}).fetchall()
        latest_hash = """
            select source_file, sha256, file_size, file_mtime_ns from (
                select source_file, sha256, file_size, file_mtime_ns, _loaded_at from raw._loads
                where source_table = $source and sha256 is not null
                union all
                select source_file, sha256, file_size, file_mtime_ns, _loaded_at from raw._hashes
                where source_table = $source
            )
            qualify row_number() over (partition by source_file order by _loaded_at desc) = 1
        """
        hashed = con.execute(latest_hash, {"source": source.name}).fetchall()
        return cls(
            latest={f: (sha, status) for f, sha, status, _, _ in rows},
            hashed={f: (sha, size, mtime) for f, sha, size, mtime in hashed},
        )

    def known_digest(self, rel: str, fingerprint: tuple[int, int]) -> str | None:
        """The SHA-256 of `rel`'s latest load when that load saw the same size and
        modification time; None when the file must be hashed."""
        sha, size, mtime = self.hashed.get(rel, (None, None, None))
        return sha if (size, mtime) == fingerprint else None

    def already_loaded(self, rel: str, digest: str, extracted: datetime | None) -> str | None:
        """The file whose latest load has this content: `rel` itself (any status), or another
        file of the source that was loaded with an extraction time the same as `extracted` or
        later (the first by name), or, for a name never loaded, the source's latest extraction
        before `extracted` when every file loaded with that time has this content (a snapshot
        sent again unchanged: nothing came between); None when the content is new, loaded only
        as an earlier extraction with another one since (A, B, then A again: the third file
        must load to end at A), or a file changed in place back to an earlier content (its
        correction must load)."""
        if self.latest.get(rel, (None, ""))[0] == digest:
            return rel
        loaded = {f: sha for f, (sha, status) in self.latest.items() if status == "loaded"}
        same = [
            f
            for f, sha in loaded.items()
            if sha == digest and _not_earlier(self.extracted(f), extracted)
        ]
        if same or extracted is None or rel in self.latest:
            return min(same) if same else None
        earlier = {f: t for f in loaded if (t := self.extracted(f)) is not None and t < extracted}
        if not earlier:
            return None
        last = max(earlier.values())
        previous = sorted(f for f, t in earlier.items() if t == last)
        return previous[0] if all(loaded[f] == digest for f in previous) else None

    def record(
        self, report: FileReport, digest: str | None, fingerprint: tuple[int, int] | None
    ) -> None:
        self.latest[report.source_file] = (digest, report.status)
        if digest is not None:
            size, mtime = fingerprint or (None, None)
            self.hashed[report.source_file] = (digest, size, mtime)


def _not_earlier(other: datetime | None, this: datetime | None) -> bool:
    """Whether extraction time `other` is the same as `this` or later; no time sorts before
    every time, as in staging (`deduplicate_latest`)."""
    return this is None or (other is not None and other >= this)


def _read(entry: LandingFile) -> FileContent:
    """The file's rows; when it is not to be loaded, every row read is quarantined with the
    reason (nothing is read from a file that is not in its source's format)."""
    source = entry.source
    if entry.problem is None:
        return read_file(entry.path, source, entry.fmt)
    empty = string_frame([], source)
    if not entry.readable_as_source:
        return FileContent(empty, [], entry.problem)
    content = read_file(entry.path, source, entry.fmt)
    if content.rejected and not content.rows_read:
        also = content.rejected.removeprefix("file rejected: ")
        return FileContent(empty, [], f"{entry.problem}; also {also}")
    records = content.rows.select(
        "_source_row", pl.struct(source.columns).struct.json_encode().alias("record")
    )
    rows = [
        {"source_row": n, "field": None, "value": None, "reason": entry.problem, "record": r}
        for n, r in records.iter_rows()
    ]
    rows += [u | {"reason": entry.problem} for u in content.unparsed]
    return FileContent(empty, sorted(rows, key=lambda r: r["source_row"]), entry.problem)


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    entry: LandingFile,
    batch_id: str,
    loaded_at: datetime,
    index: _LoadIndex,
) -> FileReport:
    source, rel = entry.source, entry.rel
    if entry.path.is_dir():
        report = _record_unreadable(con, source, rel, entry.problem or "", batch_id, loaded_at)
        index.record(report, None, None)
        return report
    try:
        stat = entry.path.stat()
        fingerprint = (stat.st_size, stat.st_mtime_ns)
        known = index.known_digest(rel, fingerprint)
        digest = known or _sha256(entry.path)
    except OSError as exc:
        report = _record_unreadable(
            con, source, rel, f"file unreadable: {exc.strerror}", batch_id, loaded_at
        )
        index.record(report, None, None)
        return report
    seen = index.already_loaded(rel, digest, entry.extracted_at)
    if seen is not None:
        if seen == rel:
            return FileReport(source.name, rel, "already loaded")
        if known is None:
            _cache_hash(con, source, rel, digest, fingerprint, batch_id, loaded_at)
            index.hashed[rel] = (digest, *fingerprint)
        return FileReport(
            source.name, rel, "already loaded", reason=f"same content as {seen}, already loaded"
        )
    try:
        content = _read(entry)
    except OSError as exc:
        report = _record_unreadable(
            con, source, rel, f"file unreadable: {exc.strerror}", batch_id, loaded_at
        )
        index.record(report, None, None)
        return report
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
    extracted = pl.lit(entry.extracted_at).cast(pl.Datetime("us")).alias("_extracted_at")
    valid = valid.with_columns(*meta, extracted)
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
    columns = ", ".join(
        source.columns + ["_source_file", "_source_row", "_loaded_at", "_batch_id", "_extracted_at"]
    )
    con.execute("begin transaction")
    try:
        con.register("incoming_rows", valid.to_arrow())
        con.execute(
            f"insert into raw.{source.name} ({columns}) select {columns} from incoming_rows"
        )
        _insert_quarantine(con, quarantine)
        _log(con, file_report, digest, batch_id, loaded_at, fingerprint)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming_rows")
    index.record(file_report, digest, fingerprint)
    return file_report


def _cache_hash(
    con: duckdb.DuckDBPyConnection,
    source: SourceTable,
    rel: str,
    digest: str,
    fingerprint: tuple[int, int],
    batch_id: str,
    loaded_at: datetime,
) -> None:
    """Keep the hash of a file skipped for another file's content (`raw._hashes`), so that the
    next ingestion does not read it again while its size and modification time stand. The
    batch id names the build that appended the row (a published build's rows are carried into
    the next build's slot by it: orchestration.catch_up)."""
    con.execute(
        "insert into raw._hashes values (?, ?, ?, ?, ?, ?, ?)",
        [source.name, rel, digest, *fingerprint, loaded_at, batch_id],
    )


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
    fingerprint: tuple[int, int] | None = None,
) -> None:
    size, mtime_ns = fingerprint or (None, None)
    con.execute(
        "insert into raw._loads (source_table, source_file, sha256, status, rows_read,"
        " rows_loaded, rows_quarantined, reason, _loaded_at, _batch_id, file_size,"
        " file_mtime_ns) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            size,
            mtime_ns,
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
    """A file that cannot be opened (or a folder): logged as rejected, retried on the next run."""
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
            select source_file, any_value(reason) as reason, count(source_row) as n
            from batch where starts_with(reason, 'file rejected') group by source_file
        ),
        lines as (
            select source_file, source_row,
                source_file || coalesce(':' || source_row, '')
                || coalesce(' ' || field || '=' || coalesce('''' || value || '''', 'null'), '')
                || ': ' || reason as line
            from batch where not starts_with(reason, 'file rejected')
            union all
            select source_file, 0,
                source_file || ': ' || reason || if(n > 0, ' (' || n || ' row(s))', '')
            from rejected_files
        )
        select line, count(*) over () from lines order by source_file, source_row limit ?
        """,
        [batch_id, limit],
    ).fetchall()
    return [line for line, _ in rows], (rows[0][1] if rows else 0)
