"""The sample's case-management and ERP tables written into PostgreSQL: a source database for
the demo and the tests of `ingestion.source_db` (issue 16).

    amicable sample-db --landing data/landing --source-db postgresql://USER@HOST:PORT/DB

Each table of `ingestion.source_db.DEFAULT_TABLES` (schemas `erp` and `cases`) is created as a
case tool or an ERP would keep it: typed columns (timestamptz, date, numeric, bigint, boolean,
jsonb; text otherwise) and the contract's key as primary key. Its rows are the sample's files
read in extraction order, a later version of a key replacing an earlier one (the late
corrections and re-sent rows of the sample become the row's current state). A value that its
typed column cannot hold as the contract means it (an amount `N/A`, a date `08/08/2025`, a line
that is not JSON, a row without its key) is left out and counted: a typed database cannot hold
it. Values that are well typed but break the contract (an unknown currency, a bad enum, a
payload without its keys) are kept: the connector's files quarantine them as any file would.

The tables are replaced (dropped and created) in one transaction: loading the sample again
starts the source database over. `amicable sample-db` then moves the files it read to
`<landing>/_in_source_db/` (a `_` folder, which ingestion skips), so that a build with
`--source-db` reads these tables from the database only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import adbc_driver_manager
import pyarrow as pa

from ingestion.contracts import SOURCES_BY_NAME, SourceTable
from ingestion.landing import source_files
from ingestion.readers import read_file
from ingestion.source_db import DEFAULT_TABLES, SourceDatabaseError, connect, masked
from ingestion.validate import DATE_RE, NUMBER_RE, TIMESTAMP_RE

# PostgreSQL column type of each contract field kind (text for the others).
PG_TYPES = {
    "date": "date",
    "timestamp": "timestamptz",
    "amount": "numeric",  # unconstrained: keeps the value's own scale (58.40 stays 58.40)
    "rate": "numeric",
    "integer": "bigint",
    "boolean": "boolean",
    "json": "jsonb",
}


MOVED_FOLDER = "_in_source_db"


@dataclass
class SampleTable:
    source_table: str
    relation: str
    rows_read: int = 0
    rows_stored: int = 0
    # (file, row, `field=value: reason`) of each row left out
    left_out: list[tuple[str, int, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files read, relative to the landing


def _storable(kind: str, value: str) -> bool:
    """Whether a typed column holds `value` as the contract means it."""
    if kind == "timestamp":
        return bool(re.match(TIMESTAMP_RE, value)) and _parses(datetime.fromisoformat, value)
    if kind == "date":
        return bool(re.match(DATE_RE, value)) and _parses(date.fromisoformat, value)
    if kind in ("amount", "rate"):
        return bool(re.match(NUMBER_RE, value))
    if kind == "integer":
        return bool(re.match(r"^-?\d+$", value))
    if kind == "boolean":
        return value in ("true", "false")
    if kind == "json":
        return _parses(json.loads, value)
    return True


def _parses(parse, value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _rows(landing: Path, source: SourceTable, report: SampleTable) -> list[dict]:
    """The table's current rows: every file in extraction order, a key's latest version."""
    current: dict[str, dict] = {}
    files = [f for f in source_files(landing, source) if f.problem is None]
    for entry in sorted(files, key=lambda f: (f.extracted_at, f.rel)):
        content = read_file(entry.path, source, entry.fmt)
        report.files.append(entry.rel)
        report.rows_read += content.rows_read
        for unparsed in content.unparsed:
            report.left_out.append((entry.rel, unparsed["source_row"], unparsed["reason"]))
        for row in content.rows.iter_rows(named=True):
            values = {c: (row[c] if row[c] not in (None, "") else None) for c in source.columns}
            where = (entry.rel, row["_source_row"])
            if values[source.key] is None:
                report.left_out.append((*where, f"{source.key}: no key"))
                continue
            bad = next(
                (
                    f
                    for f in source.fields
                    if values[f.name] is not None and not _storable(f.kind, values[f.name])
                ),
                None,
            )
            if bad is not None:
                value = values[bad.name]
                report.left_out.append(
                    (*where, f"{bad.name}={value!r}: not a {PG_TYPES[bad.kind]}")
                )
                continue
            current[values[source.key]] = values
    return list(current.values())


def _ddl(source: SourceTable, relation: str) -> str:
    columns = [f'"{f.name}" {PG_TYPES.get(f.kind, "text")}' for f in source.fields]
    return f"create table {relation} ({', '.join(columns)}, primary key ({source.key}))"


def move_files(landing: Path, tables: list[SampleTable]) -> int:
    """Move the files the tables were read from to `landing/_in_source_db/`; how many."""
    moved = 0
    for table in tables:
        for rel in table.files:
            target = landing / MOVED_FOLDER / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            (landing / rel).replace(target)
            moved += 1
    return moved


def load_sample(landing: Path, url: str) -> list[SampleTable]:
    """Replace the source tables in the database at `url` with the sample at `landing`."""
    reports: list[SampleTable] = []
    if not any(source_files(landing, SOURCES_BY_NAME[t]) for t in DEFAULT_TABLES):
        raise SourceDatabaseError(
            f"no case-tool or ERP files in {landing} (moved to {landing / MOVED_FOLDER} by an "
            "earlier sample-db?): nothing to load"
        )
    with connect(url) as con:
        cur = con.cursor()
        try:
            for table, spec in DEFAULT_TABLES.items():
                source = SOURCES_BY_NAME[table]
                report = SampleTable(table, spec.relation)
                rows = _rows(landing, source, report)
                schema = spec.relation.split(".")[0]
                cur.execute(f"create schema if not exists {schema}")
                cur.execute(f"drop table if exists {spec.relation}")
                cur.execute(_ddl(source, spec.relation))
                data = pa.table(
                    {c: pa.array([r[c] for r in rows], pa.string()) for c in source.columns}
                )
                cur.adbc_ingest("sample_rows", data, mode="replace", temporary=True)
                casts = ", ".join(
                    f'cast("{f.name}" as {PG_TYPES.get(f.kind, "text")})' for f in source.fields
                )
                cur.execute(f"insert into {spec.relation} select {casts} from pg_temp.sample_rows")
                report.rows_stored = len(rows)
                reports.append(report)
            con.commit()
        except adbc_driver_manager.Error as exc:
            con.rollback()
            raise SourceDatabaseError(
                f"source database {masked(url)}: sample not loaded: {str(exc).splitlines()[0]}"
            ) from None
        finally:
            cur.close()
    return reports
