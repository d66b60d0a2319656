"""Apply a source mapping (`ingestion.mapping`) to a foreign export and write the contract file
into the landing zone (`amicable import`).

The export (CSV, or a sheet of an `.xlsx` file: `ingestion.exports`) is read as text; each
contract column is computed with polars expressions; a row that a conversion cannot
handle (a date not in the mapping's format, a number with other separators, a value the value
map does not list) or that breaks the contract (`ingestion.validate`) is rejected with the
field and the reason (every conversion a row fails, joined by `; `). Rows sharing a contract
key are rejected too, unless the mapping asks for `distinct` (one per key, the last wins): all
of them when they differ (the export must say which holds), every one after the first when they
are the same. Rows in = rows skipped by the mapping + rows out + rows rejected (+ rows folded
into one per key with `distinct`). Rejected rows are written, with every source column, to
`<landing>/_rejected/` (outside the sources the build reads).

The output file carries its extraction time in its name, as the landing zone requires
(`ingestion.landing`): by default the export's modification time (UTC, to the minute), so
importing the same export twice writes the same file, and the build loads it once.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingestion.camt_writer import camt053_bytes
from ingestion.contracts import SOURCES, SourceTable
from ingestion.exports import EXCEL_DATE_TEXT, Export, ImportFailed
from ingestion.landing import STAMP_FORMAT
from ingestion.mapping import (
    DATE_KINDS,
    NUMBER_KINDS,
    ColumnSpec,
    DaysFrom,
    LoadedMapping,
)
from ingestion.validate import validate

CONTRACT_FORMATS = {"date": "%Y-%m-%d", "timestamp": "%Y-%m-%dT%H:%M:%SZ"}
OUTPUT_FORMATS = ("csv", "camt053")  # what a mapping can write
REJECTED_FOLDER = "_rejected"
_TIME_DIRECTIVES = re.compile(r"%[HIMSTRcpf]")
_NUMBER = {"amount": r"^\d+(\.\d{1,2})?$", "rate": r"^\d+(\.\d{1,10})?$"}
_DECIMAL = {"amount": pl.Decimal(18, 2), "rate": pl.Decimal(24, 10)}
DUPLICATE_KEY = "duplicate key"  # rows of one key that differ: each is rejected
DUPLICATE_ROW = "duplicate of row"  # a copy of an earlier row of the export: rejected


@dataclass(frozen=True)
class Imported:
    rows_in: int
    skipped: int
    folded: int  # rows merged into another row of the same key (`distinct`)
    out: pl.DataFrame  # the contract's columns, as the file's text
    rejected: pl.DataFrame  # _source_row, _field, _value, _reason, then every source column

    def reasons(self) -> list[tuple[str, str, int]]:
        """(field, reason, rows), most frequent first; the rows of duplicated keys counted
        together (their reasons in the rejected file name the key and rows)."""
        if self.rejected.is_empty():
            return []
        reason = pl.col("_reason")
        summary = (
            pl.when(reason.str.starts_with(DUPLICATE_KEY))
            .then(pl.lit(f"{DUPLICATE_KEY}, the rows differ"))
            .when(reason.str.starts_with(DUPLICATE_ROW))
            .then(pl.lit("duplicate of an identical row above"))
            .otherwise(reason)
        )
        counted = (
            self.rejected.with_columns(summary.alias("_reason"))
            .group_by("_field", "_reason")
            .len()
            .sort(["len", "_field"], descending=[True, False])
        )
        return [(r[0], r[1], r[2]) for r in counted.iter_rows()]


def _check_columns(loaded: LoadedMapping, columns: list[str]) -> None:
    """Every source column the mapping reads is in the export (the error names its line)."""
    known = set(columns)
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    used = [
        (("columns", name, *key.split(".")), column)
        for name, spec in loaded.mapping.columns.items()
        for key, column in spec.source_columns()
    ]
    used += [(("skip", i, "column"), rule.column) for i, rule in enumerate(loaded.mapping.skip)]
    for keys, column in used:
        if column not in known:
            raise loaded.error(
                keys,
                f"unknown source column {column!r}; the export has: {shown}",
            )


def _text(name: str) -> pl.Expr:
    """A source cell, trimmed; empty is null."""
    col = pl.col(name).str.strip_chars()
    return pl.when(col == "").then(None).otherwise(col)


def _origin(spec: ColumnSpec, kind: str, extracted_at: datetime) -> pl.Expr:
    if spec.column:
        return _text(spec.column)
    if spec.constant is not None:
        return pl.lit(spec.constant, dtype=pl.String)
    if spec.template:
        pieces = []
        for literal, name, _, _ in string.Formatter().parse(spec.template):
            if literal:
                pieces.append(pl.lit(literal))
            if name:
                pieces.append(_text(name))
        return pl.concat_str(pieces)
    fmt = CONTRACT_FORMATS.get(kind, CONTRACT_FORMATS["timestamp"])
    return pl.lit(extracted_at.strftime(fmt))


Check = tuple[pl.Expr, pl.Expr]  # (the reason when the row fails, else null; the value blamed)


def _check(fails: pl.Expr, reason: str, value: pl.Expr) -> Check:
    return pl.when(fails).then(pl.lit(reason)), value


def _cell_kind(spec: ColumnSpec, typed: dict[str, str]) -> pl.Expr:
    """The kind of the source cell (`number`, `date`; null for text and CSV)."""
    if spec.column in typed:
        return pl.col(typed[spec.column])
    return pl.lit(None, dtype=pl.String)


def _parse(value: pl.Expr, fmt: str) -> pl.Expr:
    if _TIME_DIRECTIVES.search(fmt):
        return value.str.strptime(pl.Datetime("us"), fmt, strict=False)
    return value.str.strptime(pl.Date, fmt, strict=False).cast(pl.Datetime("us"))


def _date_value(
    spec: ColumnSpec, kind: str, value: pl.Expr, typed: dict[str, str]
) -> tuple[pl.Expr, list[Check]]:
    """A date or timestamp in the contract's format, from the mapping's format (or a cell Excel
    stores as a date), plus the days of `add_days`; and the reasons it fails."""
    cell = _cell_kind(spec, typed)
    if not spec.date_format and spec.add_days is None and spec.column not in typed:
        return value, []  # already in the contract's format, or the contract rejects it
    fmt = spec.date_format or CONTRACT_FORMATS[kind]
    parsed = (
        pl.when(cell == "date").then(_parse(value, EXCEL_DATE_TEXT)).otherwise(_parse(value, fmt))
    )
    shown = spec.date_format or CONTRACT_FORMATS[kind]
    errors = [_check(value.is_not_null() & parsed.is_null(), f"not a date in {shown}", value)]
    if isinstance(spec.add_days, DaysFrom):
        terms = _text(spec.add_days.column)
        if spec.add_days.map is not None:
            table = {k: str(v) for k, v in spec.add_days.map.items()}
            terms = terms.replace_strict(table, default=None, return_dtype=pl.String)
        days = terms.cast(pl.Int64, strict=False)
        errors.append(
            _check(
                parsed.is_not_null() & days.is_null(),
                f"no payment terms in days in {spec.add_days.column}",
                _text(spec.add_days.column),
            )
        )
        parsed = parsed + pl.duration(days=days)
    elif spec.add_days is not None:
        parsed = parsed + pl.duration(days=spec.add_days)
    return parsed.dt.strftime(CONTRACT_FORMATS[kind]), errors


def _number_value(
    spec: ColumnSpec, kind: str, value: pl.Expr, typed: dict[str, str]
) -> tuple[pl.Expr, list[Check]]:
    """A decimal with a dot and no thousands separator, written with the contract's places
    (`100` → `100.00`); a value with other separators is rejected."""
    plain = value
    if spec.thousands:
        plain = plain.str.replace_all(spec.thousands, "", literal=True)
    if spec.decimal != ".":
        plain = plain.str.replace(spec.decimal, ".", literal=True)
    plain = pl.when(_cell_kind(spec, typed) == "number").then(value).otherwise(plain)
    is_number = plain.str.contains(r"^-?\d+(\.\d+)?$")
    separators = f"decimal {spec.decimal!r}" + (
        f", thousands {spec.thousands!r}" if spec.thousands else ""
    )
    error = _check(value.is_not_null() & ~is_number, f"not a number with {separators}", value)
    canonical = pl.when(plain.str.contains(_NUMBER[kind])).then(
        plain.cast(_DECIMAL[kind], strict=False).cast(pl.String)
    )
    return pl.coalesce(canonical, plain), [error]


def _column(
    spec: ColumnSpec, kind: str, extracted_at: datetime, typed: dict[str, str]
) -> tuple[pl.Expr, list[Check]]:
    value = _origin(spec, kind, extracted_at)
    errors: list[Check] = []
    if spec.map is not None:
        mapped = value.replace_strict(spec.map, default=None, return_dtype=pl.String)
        listed = ", ".join(spec.map)
        unlisted = value.is_not_null() & ~value.is_in(list(spec.map))
        errors.append(_check(unlisted, f"not in the value map ({listed})", value))
        value = mapped
    if spec.default is not None:
        value = value.fill_null(pl.lit(spec.default))
    if kind in DATE_KINDS and not spec.extracted_at:
        value, more = _date_value(spec, kind, value, typed)
    elif kind in NUMBER_KINDS:
        value, more = _number_value(spec, kind, value, typed)
    else:
        more = []
    return value, errors + more


def _every(parts: list[pl.Expr]) -> pl.Expr:
    """The parts of the checks a row fails (the others are null), in the contract's order,
    joined by `; `; null when it fails none."""
    if not parts:
        return pl.lit(None, dtype=pl.String)
    joined = pl.concat_str(parts, separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


def _duplicates(rows: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """The reasons (`_source_row`, `_field`, `_value`, `_reason`) for rows sharing a contract
    key: every one when they differ (`duplicate key invoice_id=R-1 (rows 2, 5)`: which holds
    is the export's to say, not the order of its rows), every one after the first when they
    are the same (`duplicate of row 2`)."""
    contract = [c for c in rows.columns if c != "_source_row"]
    shared = (
        rows.group_by(keys)
        .agg(
            pl.col("_source_row").sort().alias("_rows"),
            pl.struct(contract).n_unique().alias("_versions"),
        )
        .filter(pl.col("_rows").list.len() > 1)
    )
    named = ", ".join(f"{k}={{}}" for k in keys)
    listed = pl.col("_rows").list.eval(pl.element().cast(pl.String)).list.join(", ")
    differ = pl.col("_versions") > 1
    first = pl.col("_rows").list.first()
    reason = (
        pl.when(differ)
        .then(pl.format(f"{DUPLICATE_KEY} {named} (rows {{}})", *keys, listed))
        .otherwise(pl.format(f"{DUPLICATE_ROW} {{}}", first))
    )
    return (
        shared.with_columns(reason.alias("_reason"), first.alias("_first"))
        .explode("_rows")
        .filter(differ | (pl.col("_rows") != pl.col("_first")))
        .select(
            pl.col("_rows").alias("_source_row"),
            pl.lit(", ".join(keys)).alias("_field"),
            pl.concat_str(keys, separator=", ").alias("_value"),
            "_reason",
        )
    )


def apply_mapping(loaded: LoadedMapping, read: Export, extracted_at: datetime) -> Imported:
    """The contract rows of an export (`read_export`) and the rows rejected."""
    export = read.frame
    _check_columns(loaded, read.source_columns)
    mapping, source = loaded.mapping, loaded.mapping.source
    skip = [
        _text(r.column).is_null() if r.empty else _text(r.column).is_in(r.in_ or [])
        for r in mapping.skip
    ]
    kept = export.filter(~pl.any_horizontal(skip)) if skip else export
    values, checks = [], []
    for f in source.fields:
        spec = mapping.columns.get(f.name)
        if spec is None:
            values.append(pl.lit(None, dtype=pl.String).alias(f.name))
            continue
        value, errors = _column(spec, f.kind, extracted_at, read.typed)
        values.append(value.alias(f.name))
        checks += [(f.name, reason, blamed) for reason, blamed in errors]
    field = [pl.when(r.is_not_null()).then(pl.lit(n)) for n, r, _ in checks]
    blamed = [pl.when(r.is_not_null()).then(v.cast(pl.String).fill_null("")) for _, r, v in checks]
    converted = kept.select(
        "_source_row",
        *values,
        _every(field).alias("_field"),
        _every(blamed).alias("_value"),
        _every([r for _, r, _ in checks]).alias("_reason"),
    )
    rejected_by_mapping = converted.filter(pl.col("_reason").is_not_null()).select(
        "_source_row", "_field", "_value", "_reason"
    )
    candidates = converted.filter(pl.col("_reason").is_null()).drop("_field", "_value", "_reason")
    quarantine = validate(candidates, source).quarantine
    rejected_by_contract = quarantine.select(
        pl.col("source_row").alias("_source_row"),
        pl.col("field").alias("_field"),
        pl.col("value").alias("_value"),
        pl.col("reason").alias("_reason"),
    )
    reasons = pl.concat([rejected_by_mapping, rejected_by_contract])
    out = candidates.join(reasons, on="_source_row", how="anti")
    keys = [k.strip() for k in source.key.split(",")]
    folded = 0
    if mapping.distinct:
        before = out.height
        out = out.unique(subset=keys, keep="last", maintain_order=True)
        folded = before - out.height
    else:
        duplicates = _duplicates(out, keys)
        out = out.join(duplicates, on="_source_row", how="anti")
        reasons = pl.concat([reasons, duplicates])
    reasons = reasons.sort("_source_row")
    rejected = reasons.join(
        export.select("_source_row", *read.source_columns), on="_source_row", how="left"
    )
    return Imported(
        rows_in=export.height,
        skipped=export.height - kept.height,
        folded=folded,
        out=out.drop("_source_row"),
        rejected=rejected,
    )


def output_path(landing: Path, loaded: LoadedMapping, extracted_at: datetime) -> Path:
    """Where the contract file goes: the source's folder and pattern, stamped."""
    source: SourceTable = loaded.mapping.source
    stem, _, ext = source.pattern.partition("*")
    stem = stem or f"{loaded.path.stem}_"
    return landing / source.folder / f"{stem}{extracted_at.strftime(STAMP_FORMAT)}{ext}"


def rejected_path(landing: Path, output: Path) -> Path:
    return landing / REJECTED_FOLDER / f"{output.stem}.rejected.csv"


def default_extracted_at(export: Path) -> datetime:
    """The export's modification time, in UTC, to the minute (the landing-zone stamp)."""
    stamp = datetime.fromtimestamp(export.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    return stamp.replace(second=0, microsecond=0)


def output_bytes(loaded: LoadedMapping, frame: pl.DataFrame, path: Path) -> bytes:
    """The contract file's content: CSV, or a camt.053 statement for bank entries."""
    if loaded.mapping.source.fmt == "camt053":
        return camt053_bytes(frame, message_id=path.stem)
    return frame.write_csv(line_terminator="\n").encode("utf-8")


def write_output(path: Path, content: bytes) -> bool:
    """Write the contract file; False when an identical file is already there. A different
    file under the same name is never overwritten (the build may have loaded it)."""
    if path.exists():
        if path.read_bytes() == content:
            return False
        raise ImportFailed(
            f"{path} exists with other content: give another --extracted-at (a later "
            "extraction corrects an earlier one) or remove it if the build never loaded it"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def write_rejected(path: Path, rejected: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    rejected.write_csv(path, line_terminator="\n")


def check_output_table(loaded: LoadedMapping) -> None:
    fmt = loaded.mapping.source.fmt
    if fmt not in OUTPUT_FORMATS:
        raise loaded.error(
            ("table",),
            f"{loaded.mapping.table} files are {fmt}; a mapping writes "
            f"{', '.join(_writable_tables())}",
        )


def _writable_tables() -> list[str]:
    return [s.name for s in SOURCES if s.fmt in OUTPUT_FORMATS]
