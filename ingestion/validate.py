"""Row validation against a source contract, vectorised with polars.

Input: a frame of strings (one column per contract field, null or "" when absent) plus
`_source_row`. Output: the rows that pass, cast to their raw types, and one quarantine record per
failing row naming the first field (in contract order) that breaks the contract, its value and
the reason. Every input row ends up in exactly one of the two frames.
"""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass
from functools import cache

import polars as pl

from ingestion.contracts import EVENT_PAYLOAD_KEYS, EVENT_PAYLOADS, RAW_TYPES, Field, SourceTable
from ingestion.currencies import ISO_4217

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
NUMBER_RE = r"^-?\d+(\.\d+)?$"
AMOUNT_RE = r"^\d+(\.\d{1,2})?$"
RATE_RE = r"^\d+(\.\d{1,10})?$"

# Polars type of the raw column of each decimal kind (`contracts.RAW_TYPES`): a value that does
# not fit is quarantined, never left to fail the load.
DECIMALS = {"amount": pl.Decimal(18, 2), "rate": pl.Decimal(24, 10)}

QUARANTINE_SCHEMA = {
    "source_row": pl.Int64,
    "field": pl.String,
    "value": pl.String,
    "reason": pl.String,
    "record": pl.String,
}


@dataclass(frozen=True)
class Validated:
    valid: pl.DataFrame
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA


@cache
def _timezones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _missing(col: pl.Expr) -> pl.Expr:
    return col.is_null() | (col.str.strip_chars() == "")


def _kind_error(f: Field, col: pl.Expr) -> pl.Expr | None:
    """Expression giving the reason a present value breaks its kind, else null."""
    when = pl.when
    if f.kind == "date":
        parsed = col.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        bad = ~col.str.contains(DATE_RE) | parsed.is_null()
        return when(bad).then(pl.lit("not a date: expected YYYY-MM-DD"))
    if f.kind == "timestamp":
        ok = col.str.contains(TIMESTAMP_RE)
        parsed = col.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.fZ", strict=False)
        return when(~ok | parsed.is_null()).then(
            pl.lit("not a UTC timestamp: expected YYYY-MM-DDTHH:MM:SSZ")
        )
    if f.kind in ("amount", "rate"):
        pattern, places = (AMOUNT_RE, 2) if f.kind == "amount" else (RATE_RE, 10)
        numeric = col.str.contains(NUMBER_RE)
        positive = col.str.contains(pattern) & (col.cast(pl.Float64, strict=False) > 0)
        raw_type = RAW_TYPES[f.kind]
        digits = DECIMALS[f.kind].precision - places  # type: ignore[operator]
        fits = col.cast(DECIMALS[f.kind], strict=False).is_not_null()
        return (
            when(~numeric)
            .then(pl.lit("not a number: expected digits with a dot as decimal separator"))
            .when(~positive)
            .then(pl.lit(f"must be a positive number with at most {places} decimals"))
            .when(~fits)
            .then(pl.lit(f"too large for {raw_type}: at most {digits} digits before the dot"))
        )
    if f.kind == "integer":
        return (
            when(~col.str.contains(r"^\d+$"))
            .then(pl.lit("must be a whole number >= 0"))
            .when(col.cast(pl.Int64, strict=False).is_null())
            .then(pl.lit(f"too large for a {RAW_TYPES['integer']}: at most {2**63 - 1}"))
        )
    if f.kind == "currency":
        return when(~col.is_in(sorted(ISO_4217))).then(pl.lit("unknown ISO 4217 currency code"))
    if f.kind == "country":
        return when(~col.str.contains(r"^[A-Z]{2}$")).then(
            pl.lit("not an ISO 3166-1 alpha-2 country code")
        )
    if f.kind == "timezone":
        return when(~col.is_in(_timezones())).then(pl.lit("unknown IANA time zone"))
    if f.kind == "enum":
        allowed = " | ".join(f.allowed)
        return when(~col.is_in(list(f.allowed))).then(pl.lit(f"must be one of {allowed}"))
    if f.kind == "boolean":
        return when(~col.is_in(["true", "false"])).then(pl.lit("must be true or false"))
    return None


def _payload_error(event_type: str | None, payload: str | None) -> str | None:
    try:
        value = json.loads(payload) if payload else None
    except json.JSONDecodeError:
        return "payload is not JSON"
    if not isinstance(value, dict):
        return "payload must be a JSON object"
    missing = [
        k for k in EVENT_PAYLOAD_KEYS.get(event_type or "", ()) if value.get(k) in (None, "")
    ]
    return f"payload of {event_type} lacks {', '.join(missing)}" if missing else None


def _field_error(f: Field) -> pl.Expr:
    col = pl.col(f.name)
    if f.kind == "json":
        kind = pl.struct("event_type", f.name).map_elements(
            lambda r: _payload_error(r["event_type"], r[f.name]), return_dtype=pl.String
        )
    else:
        kind = _kind_error(f, col)
    missing = _missing(col)
    expr = pl.when(missing).then(pl.lit("required field is empty") if f.required else None)
    if kind is not None:
        expr = expr.otherwise(kind)
    return expr


def _payload_value_errors() -> pl.Expr:
    """The first payload value that breaks its kind, as `payload.<key> of <event_type>: reason`
    (the keys' presence and the JSON itself are checked by `_payload_error` first)."""
    errors = []
    for event_type, fields in EVENT_PAYLOADS.items():
        for f in fields:
            value = pl.col("payload").str.json_path_match(f"$.{f.name}")
            reason = _kind_error(f, value)
            if reason is None:
                continue
            prefix = pl.lit(f"payload.{f.name} of {event_type}: ")
            errors.append(
                pl.when((pl.col("event_type") == event_type) & ~_missing(value)).then(
                    pl.concat_str([prefix, reason])
                )
            )
    return pl.coalesce(errors)


def _cross_field_errors(source: SourceTable) -> list[tuple[str, pl.Expr]]:
    """Rules spanning fields, as (field to blame, reason-or-null expression)."""
    if source.name == "cases_case_events":
        return [("payload", _payload_value_errors())]
    if source.name == "bank_entries":
        status = pl.col("entry_status")
        return [
            (
                "entry_status",
                pl.when(~_missing(status) & (status != "BOOK")).then(
                    pl.concat_str(
                        pl.lit("entry status "),
                        status,
                        pl.lit(" is not booked (BOOK): only booked entries count"),
                    )
                ),
            )
        ]
    if source.name != "erp_invoices":
        return []
    ref = pl.col("reference_invoice_id")
    credit = pl.col("document_type") == "credit_note"
    due_before_issue = pl.col("due_date").str.strptime(pl.Date, strict=False) < pl.col(
        "issue_date"
    ).str.strptime(pl.Date, strict=False)
    return [
        (
            "reference_invoice_id",
            pl.when(credit & _missing(ref))
            .then(pl.lit("a credit note must name its reference_invoice_id"))
            .when(~credit & ~_missing(ref))
            .then(pl.lit("only a credit note may name a reference_invoice_id")),
        ),
        ("due_date", pl.when(due_before_issue).then(pl.lit("due_date is before issue_date"))),
    ]


def _cast(f: Field) -> pl.Expr:
    col = pl.when(_missing(pl.col(f.name))).then(None).otherwise(pl.col(f.name))
    if f.kind == "date":
        return col.str.strptime(pl.Date, "%Y-%m-%d").alias(f.name)
    if f.kind == "timestamp":
        return col.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.fZ").alias(f.name)
    if f.kind in DECIMALS:
        return col.cast(DECIMALS[f.kind]).alias(f.name)
    if f.kind == "integer":
        return col.cast(pl.Int64).alias(f.name)
    if f.kind == "boolean":
        return (col == "true").alias(f.name)
    return col.alias(f.name)


def validate(frame: pl.DataFrame, source: SourceTable) -> Validated:
    """Split `frame` into contract-valid typed rows and quarantine records."""
    checks = [(f.name, _field_error(f)) for f in source.fields]
    checks += _cross_field_errors(source)
    names = [name for name, _ in checks]
    errors = frame.with_columns(
        [expr.alias(f"__err_{i}") for i, (_, expr) in enumerate(checks)]
    ).with_columns(
        pl.coalesce([pl.col(f"__err_{i}") for i in range(len(checks))]).alias("__reason"),
        pl.coalesce(
            [
                pl.when(pl.col(f"__err_{i}").is_not_null()).then(pl.lit(n))
                for i, n in enumerate(names)
            ]
        ).alias("__field"),
    )
    bad = errors.filter(pl.col("__reason").is_not_null())
    good = errors.filter(pl.col("__reason").is_null())
    quarantine = bad.select(
        pl.col("_source_row").cast(pl.Int64).alias("source_row"),
        pl.col("__field").alias("field"),
        _blamed_value(names).alias("value"),
        pl.col("__reason").alias("reason"),
        pl.struct(source.columns).struct.json_encode().alias("record"),
    )
    valid = good.select([_cast(f) for f in source.fields] + [pl.col("_source_row")])
    return Validated(valid=valid, quarantine=quarantine)


def _blamed_value(names: list[str]) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for name in dict.fromkeys(names):
        expr = pl.when(pl.col("__field") == name).then(pl.col(name)).otherwise(expr)
    return expr


def quarantine_frame(rows: list[dict]) -> pl.DataFrame:
    """Quarantine records built outside `validate` (unparseable lines, rejected files)."""
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA)
