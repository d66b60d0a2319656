"""Exports of case files and their log: who exported which case, when, in which format, and
the sha256 of the bytes handed over.

On a DuckDB warehouse the log is a JSON-lines file beside the warehouse
(`amicable.settings.case_file_export_log`), never inside it: the dashboard reads the warehouse
read-only while builds write it. Each export appends one line under an exclusive lock
(`fcntl.flock`), written in one call and synced.

On a PostgreSQL warehouse the log is the table `audit.case_file_exports` of its database, so
every dashboard and command line reading that warehouse shares one log: each export inserts its
row in a transaction of its own (the schema and table made on first use; a role that may only
read needs `usage` on `audit` and `insert, select` on the table, else the export is refused
and nothing is handed over). Builds never touch it: publication swaps the model
schemas only.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from amicable.case_file.load import CaseFile, CaseFileError
from amicable.case_file.pdf import to_pdf
from amicable.case_file.tables import cell, to_csv
from amicable.settings import case_file_export_log
from amicable.warehouse_ref import PostgresWarehouse, Warehouse

EXPORTS_TABLE = "audit.case_file_exports"  # on a PostgreSQL warehouse
_COLUMNS = (
    "exported_at", "user", "case_id", "format", "sha256", "bytes", "warehouse", "build_run_id",
    "as_of", "out", "claimed_user",
)  # fmt: skip  # ExportRecord's fields, in order
_NAMES = ", ".join(f'"{name}"' for name in _COLUMNS)  # quoted: `user` is a keyword
_DDL = f"""
create schema if not exists audit;
create table if not exists {EXPORTS_TABLE} (
    seq bigint generated always as identity,  -- append order, as the file's lines
    exported_at text not null, "user" text not null, case_id text not null,
    format text not null, sha256 text not null, bytes bigint not null, warehouse text not null,
    build_run_id text, as_of text not null, out text, claimed_user text
)
"""

FORMATS = {"pdf": to_pdf, "csv": to_csv}


@dataclass(frozen=True)
class ExportRecord:
    """One line of the export log."""

    exported_at: str  # UTC, ISO 8601 with `Z`
    user: str
    case_id: str
    format: str  # pdf | csv
    sha256: str  # of the exported bytes
    bytes: int
    warehouse: str
    build_run_id: str | None
    as_of: str
    out: str | None  # the file written, when there is one (the CLI), else null
    # The name given with `amicable case-file --user`, unverified; `user` is then the OS user.
    # The dashboard logs its signed-in user as `user` and this stays null (older lines lack it).
    claimed_user: str | None = None


@dataclass(frozen=True)
class Export:
    data: bytes
    record: ExportRecord


def export_case_file(
    case_file: CaseFile,
    fmt: str,
    user: str,
    out: Path | None = None,
    *,
    claimed_user: str | None = None,
) -> Export:
    """Render `case_file` as `fmt` (pdf or csv), write it to `out` when given, and log the
    export in the warehouse's export log. `user` is who is known to export (the signed-in
    user, the OS user); `claimed_user` a name they give that nothing checks. The file appears
    only once its export is logged; nothing is logged when rendering fails."""
    if fmt not in FORMATS:
        raise CaseFileError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not user.strip():
        raise CaseFileError("an export needs the name of the user who makes it")
    data = FORMATS[fmt](case_file)
    source = case_file.provenance
    record = ExportRecord(
        exported_at=cell(datetime.now(UTC)),
        user=user.strip(),
        case_id=case_file.case_id,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        warehouse=str(source.warehouse),
        build_run_id=source.build_run_id,
        as_of=source.as_of.isoformat(),
        out=None if out is None else str(Path(out).resolve()),
        claimed_user=(claimed_user or "").strip() or None,
    )
    partial = None if out is None else Path(out).with_name(f".{Path(out).name}.part")
    try:
        if partial is not None:
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
        _append(source.warehouse, record)
        if partial is not None:
            partial.replace(Path(out))
    except (OSError, _LogRefused) as exc:
        raise CaseFileError(f"case {case_file.case_id} not exported: {exc}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return Export(data, record)


def export_log_name(warehouse: Warehouse) -> str:
    """Where `warehouse`'s exports are logged, as messages name it."""
    if isinstance(warehouse, PostgresWarehouse):
        return f"{EXPORTS_TABLE} of {warehouse}"
    return str(case_file_export_log(warehouse))


def list_exports(warehouse: Warehouse, case_id: str | None = None) -> list[ExportRecord]:
    """The exports logged for `warehouse` (of one case, when given), oldest first."""
    if isinstance(warehouse, PostgresWarehouse):
        return _postgres_exports(warehouse, case_id)
    path = case_file_export_log(warehouse)
    if not path.exists():
        return []
    with path.open("rb") as log:
        fcntl.flock(log, fcntl.LOCK_SH)  # no half-written line from a concurrent export
        try:
            text = log.read().decode("utf-8")
        finally:
            fcntl.flock(log, fcntl.LOCK_UN)
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = ExportRecord(**json.loads(line))
        except (ValueError, TypeError) as exc:
            raise CaseFileError(
                f"export log {path}: line {number} is not an export record ({exc})"
            ) from None
        if case_id is None or record.case_id == case_id:
            records.append(record)
    return records


class _LogRefused(Exception):
    """The PostgreSQL warehouse refused the export's row (one line, password masked)."""


def _append(warehouse: Warehouse, record: ExportRecord) -> None:
    if isinstance(warehouse, PostgresWarehouse):
        _insert(warehouse, record)
        return
    path = case_file_export_log(warehouse)
    line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as log:
        fcntl.flock(log, fcntl.LOCK_EX)
        try:
            log.write(line)
            log.flush()
            os.fsync(log.fileno())
        finally:
            fcntl.flock(log, fcntl.LOCK_UN)


def _connection(warehouse: PostgresWarehouse) -> contextlib.closing:
    """A connection to `warehouse`, closed at the end of the block (psycopg2's own `with`
    ends a transaction only)."""
    import psycopg2

    return contextlib.closing(psycopg2.connect(warehouse.url, connect_timeout=10))


def _insert(warehouse: PostgresWarehouse, record: ExportRecord) -> None:
    import psycopg2

    from dashboards.postgres import first_line

    marks = ", ".join(["%s"] * len(_COLUMNS))
    values = [getattr(record, name) for name in _COLUMNS]
    try:
        with _connection(warehouse) as con, con, con.cursor() as cur:
            cur.execute("select to_regclass(%s)", [EXPORTS_TABLE])
            if cur.fetchone()[0] is None:  # PostgreSQL asks for `create` even when it exists
                cur.execute(_DDL)
            cur.execute(f"insert into {EXPORTS_TABLE} ({_NAMES}) values ({marks})", values)
    except psycopg2.Error as exc:
        where = export_log_name(warehouse)
        raise _LogRefused(f"cannot log the export in {where}: {first_line(exc)}") from None


def _postgres_exports(warehouse: PostgresWarehouse, case_id: str | None) -> list[ExportRecord]:
    import psycopg2

    from dashboards.postgres import first_line, missing_relation

    sql = f"select {_NAMES} from {EXPORTS_TABLE}"
    sql += " where case_id = %s" if case_id is not None else ""
    parameters = [case_id] if case_id is not None else []
    try:
        with _connection(warehouse) as con, con, con.cursor() as cur:
            cur.execute(f"{sql} order by seq", parameters)
            rows = cur.fetchall()
    except psycopg2.Error as exc:
        if missing_relation(exc):  # no export yet
            return []
        where = export_log_name(warehouse)
        raise CaseFileError(f"cannot read the export log {where}: {first_line(exc)}") from None
    return [ExportRecord(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]
