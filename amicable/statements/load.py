"""Load one debtor's statement of account from the marts: its lines with the running balance
(`dashboards/sql/statement_lines.sql`), its open and settled items
(`statement_items.sql`) and the ageing summary at the statement date, each per invoice
currency; and the debtors a bulk run covers (`statement_debtors.sql`). The SQL files are the
one home of the statement's rules: the dashboard and the command line both load through here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd

from amicable.warehouse_ref import Warehouse
from dashboards.postgres import MISSING_RELATION, Connection, warehouse_of
from dashboards.queries.core import sql_text

SEGMENT_ALL = "all"
LINE_COLUMNS: tuple[str, ...] = (
    "currency", "line_date", "line_kind", "invoice_id", "invoice_number", "due_date", "amount",
    "balance",
)  # fmt: skip
ITEM_COLUMNS: tuple[str, ...] = (
    "invoice_id", "invoice_number", "currency", "issue_date", "due_date", "status", "settled_on",
    "invoice_amount", "paid_amount", "credited_amount", "open_amount", "unapplied_credit_amount",
    "days_past_due", "ageing_bucket", "bucket_order", "open_amount_rc",
)  # fmt: skip
AGEING_COLUMNS: tuple[str, ...] = (
    "currency",
    "ageing_bucket",
    "open_items",
    "open_amount",
    "open_amount_rc",
)


class StatementError(Exception):
    """A statement cannot be made; the message is one line, fit for the user."""


class DebtorNotFound(StatementError):
    """The debtor has no invoice in the warehouse."""


class StatementBuildChanged(StatementError):
    """Another build was published while the statements were read: run again."""


@dataclass(frozen=True)
class Provenance:
    """Where a statement came from."""

    warehouse: Warehouse  # its DuckDB file or PostgreSQL database
    build_as_of: date  # the build's as-of date: no figure exists after it
    build_run_id: str | None  # the Dagster run that built the marts (marts.dim_build)
    generated_at: datetime  # when this statement was made (UTC, aware)


@dataclass(frozen=True)
class Statement:
    """One debtor's statement of account from `from_date` to `as_of` (both included).

    `lines`: LINE_COLUMNS, per currency the balance brought forward (line_kind
    `opening_balance`, dated the day before the period) then every movement in the period
    with the running balance (what the invoices owe: open amount minus unapplied credit).
    `items`: ITEM_COLUMNS, every invoice open at `as_of` or settled in the period.
    `ageing`: AGEING_COLUMNS, per currency with an open item, every bucket in order
    (`marts.dim_ageing_buckets`), the open items and amounts at `as_of`, also in the reporting
    currency at that date's rate (as `marts.fct_ar_ageing`): null when a rate is missing."""

    debtor_id: str
    debtor_name: str | None
    segment: str | None
    from_date: date
    as_of: date
    reporting_currency: str | None
    lines: pd.DataFrame
    items: pd.DataFrame
    ageing: pd.DataFrame
    provenance: Provenance

    @property
    def currencies(self) -> list[str]:
        """The invoice currencies of the statement, one section each."""
        found = set(self.lines["currency"]) | set(self.items["currency"])
        return sorted(str(currency) for currency in found)

    def closing_balance(self, currency: str) -> Decimal:
        """The running balance at `as_of` in `currency` (0 without a line)."""
        lines = self.lines[self.lines["currency"] == currency]
        return Decimal(0) if lines.empty else lines["balance"].iloc[-1]

    def open_amount(self, currency: str) -> Decimal:
        """What the open items owe at `as_of` in `currency` (the ageing's open amount)."""
        items = self.items[self.items["currency"] == currency]
        return sum(items["open_amount"], Decimal(0))

    @property
    def open_amount_rc(self) -> Decimal | None:
        """The open items at `as_of` in the reporting currency; None when a rate is missing."""
        open_items = self.items[self.items["status"] == "open"]
        if open_items["open_amount_rc"].isna().any():
            return None
        return sum(open_items["open_amount_rc"], Decimal(0))


def default_from_date(as_of: date) -> date:
    """The first day of the statement date's month: a monthly statement."""
    return as_of.replace(day=1)


BATCH = 500  # debtors per query of a bulk run: each query scans the mart once


def load_statement(
    con: Connection,
    debtor_id: str,
    as_of: date | None = None,
    from_date: date | None = None,
    now: datetime | None = None,
) -> Statement:
    """The statement of `debtor_id` at `as_of` (default: the build's as-of date) over the period
    from `from_date` (default: `default_from_date`), from the warehouse `con` is open on
    (read-only is enough).

    Raises DebtorNotFound when the debtor has no invoice, StatementError when the dates are
    out of range or the warehouse has no finance marts (not built yet)."""
    (statement,) = load_statements(con, [debtor_id], as_of, from_date, now)
    return statement


def load_statements(
    con: Connection,
    debtor_ids: list[str],
    as_of: date | None = None,
    from_date: date | None = None,
    now: datetime | None = None,
) -> Iterator[Statement]:
    """The statements of `debtor_ids`, in their order, as `load_statement` makes each, read
    `BATCH` debtors at a time (one scan of the mart per query instead of one per debtor).
    DebtorNotFound names the first id without an invoice, before its batch yields anything."""
    provenance = _provenance(con, now)
    as_of, from_date = check_period(provenance, as_of, from_date)
    buckets = list(frame(con, "ageing_buckets", [])["ageing_bucket"])
    reporting = _reporting_currency(con)
    for start in range(0, len(debtor_ids), BATCH):
        batch = debtor_ids[start : start + BATCH]
        headers = _headers(con, batch)
        missing = [debtor for debtor in batch if debtor not in headers]
        if missing:
            raise DebtorNotFound(
                f"debtor {missing[0]!r} has no invoice in the warehouse {provenance.warehouse} "
                f"(as of {provenance.build_as_of}): check the debtor id"
            )
        period = [batch, from_date, as_of]
        lines = _by_debtor(frame(con, "statement_lines", period), LINE_COLUMNS)
        items = _by_debtor(frame(con, "statement_items", period), ITEM_COLUMNS)
        _same_build(con, provenance)
        for debtor in batch:
            debtor_items = items.get(debtor, _empty(ITEM_COLUMNS))
            yield Statement(
                debtor_id=debtor,
                debtor_name=headers[debtor][0],
                segment=headers[debtor][1],
                from_date=from_date,
                as_of=as_of,
                reporting_currency=reporting,
                lines=lines.get(debtor, _empty(LINE_COLUMNS)),
                items=debtor_items,
                ageing=ageing_summary(debtor_items, buckets),
                provenance=provenance,
            )


def _headers(con: Connection, debtor_ids: list[str]) -> dict[str, tuple]:
    """debtor id -> (name, segment) of those of `debtor_ids` with an invoice."""
    try:
        rows = con.execute(
            "select debtor_id, min(debtor_name), min(segment) "
            "from marts.fct_ar_balance_periods where debtor_id in (select unnest(?)) "
            "group by debtor_id",
            [debtor_ids],
        ).fetchall()
    except MISSING_RELATION as error:
        raise StatementError(_not_built(con, error)) from None
    return {row[0]: (row[1], row[2]) for row in rows}


def _by_debtor(rows: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    return {
        str(debtor): part[list(columns)].reset_index(drop=True)
        for debtor, part in rows.groupby("debtor_id", sort=False)
    }


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns), dtype=object)


def statement_debtors(
    con: Connection,
    segment: str,
    as_of: date | None = None,
    from_date: date | None = None,
) -> pd.DataFrame:
    """debtor_id, debtor_name, segment of every debtor of `segment` ('all': any) with an item
    open or moving in the period; StatementError for a segment the warehouse does not hold."""
    provenance = _provenance(con, None)
    as_of, from_date = check_period(provenance, as_of, from_date)
    if segment != SEGMENT_ALL:
        known = [
            str(row[0])
            for row in con.execute(
                "select distinct segment from marts.fct_ar_balance_periods order by 1"
            ).fetchall()
        ]
        if segment not in known:
            raise StatementError(
                f"unknown segment {segment!r}: the warehouse holds "
                f"{', '.join(known) or 'no invoice'} (or {SEGMENT_ALL})"
            )
    return frame(con, "statement_debtors", [segment, from_date, as_of])


def unknown_debtors(con: Connection, debtor_ids: list[str]) -> list[str]:
    """The ids of `debtor_ids` without any invoice in the warehouse, in their order."""
    known = _headers(con, debtor_ids)
    return [debtor for debtor in debtor_ids if debtor not in known]


def check_period(
    provenance: Provenance, as_of: date | None, from_date: date | None
) -> tuple[date, date]:
    """(as_of, from_date) with their defaults, checked against the build's as-of date."""
    as_of = as_of or provenance.build_as_of
    if as_of > provenance.build_as_of:
        raise StatementError(
            f"statement date {as_of} is after the warehouse's as-of date "
            f"{provenance.build_as_of}: nothing is known after it (build with a later --as-of)"
        )
    from_date = from_date or default_from_date(as_of)
    if from_date > as_of:
        raise StatementError(f"the period starts on {from_date}, after the statement date {as_of}")
    return as_of, from_date


def ageing_summary(items: pd.DataFrame, buckets: list[str]) -> pd.DataFrame:
    """AGEING_COLUMNS: per currency with an open item, every bucket of `buckets` in order."""
    open_items = items[items["status"] == "open"]
    rows = []
    for currency in sorted(set(open_items["currency"])):
        in_currency = open_items[open_items["currency"] == currency]
        for bucket in buckets:
            held = in_currency[in_currency["ageing_bucket"] == bucket]
            amounts_rc = list(held["open_amount_rc"])
            has_rates = not any(pd.isna(amount) for amount in amounts_rc)
            rows.append(
                (
                    currency,
                    bucket,
                    len(held),
                    sum(held["open_amount"], Decimal(0)),
                    sum(amounts_rc, Decimal(0)) if has_rates else None,
                )
            )
    return pd.DataFrame(rows, columns=list(AGEING_COLUMNS), dtype=object)


def frame(con: Connection, name: str, params: list) -> pd.DataFrame:
    """Rows of `dashboards/sql/<name>.sql` as a pandas frame that keeps Decimal amounts exact
    and dates as dates (object columns)."""
    try:
        cursor = con.execute(sql_text(name), params)
    except MISSING_RELATION as error:
        raise StatementError(_not_built(con, error)) from None
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)


def _provenance(con: Connection, now: datetime | None) -> Provenance:
    warehouse = warehouse_of(con)
    try:
        build = con.execute("select as_of_date, run_id from marts.dim_build").fetchone()
    except MISSING_RELATION:
        build = None
    if build is None:
        raise StatementError(
            f"warehouse {warehouse} has no build (marts.dim_build is missing): run `amicable build`"
        )
    return Provenance(
        warehouse=warehouse,
        build_as_of=build[0],
        build_run_id=build[1],
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
    )


def _same_build(con: Connection, provenance: Provenance) -> None:
    """StatementError when the warehouse now holds another build than `provenance`'s (on a
    PostgreSQL warehouse each statement reads the build published at that moment)."""
    now = _provenance(con, provenance.generated_at)
    if now.build_run_id != provenance.build_run_id:
        raise StatementBuildChanged(
            f"the warehouse {provenance.warehouse} was published again while the statements "
            f"were read (build {provenance.build_run_id}, now {now.build_run_id}): those "
            "written so far are of the first build; run again"
        )


def _reporting_currency(con: Connection) -> str | None:
    try:
        row = con.execute(
            "select currency from marts.dim_currencies where is_reporting_currency"
        ).fetchone()
    except MISSING_RELATION:
        return None
    return row[0] if row else None


def _not_built(con: Connection, error: Exception) -> str:
    first = str(error).strip().splitlines()[0]
    return f"the warehouse has no finance marts for statements ({first}): run `amicable build`"
