"""Exports of case files and their log: who exported which case, when, in which format, and
the sha256 of the bytes handed over.

The log is a JSON-lines file beside the warehouse (`amicable.settings.case_file_export_log`),
never inside it: the dashboard reads the warehouse read-only while builds write it. Each export
appends one line under an exclusive lock (`fcntl.flock`), written in one call and synced.
"""

from __future__ import annotations

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
        _append(case_file_export_log(source.warehouse), record)
        if partial is not None:
            partial.replace(Path(out))
    except OSError as exc:
        raise CaseFileError(f"case {case_file.case_id} not exported: {exc}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return Export(data, record)


def list_exports(warehouse: Path, case_id: str | None = None) -> list[ExportRecord]:
    """The exports logged for `warehouse` (of one case, when given), oldest first."""
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


def _append(path: Path, record: ExportRecord) -> None:
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
