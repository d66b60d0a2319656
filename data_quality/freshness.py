"""Source freshness: the age of each source's newest record at the build's as-of date.

A source is stale when its newest record is older than its expected cadence
(`quality.freshness` in config/amicable.yml), measured from the start of the as-of date
(00:00 UTC); a record after that moment counts as age 0. Stale is a warning, never blocking.

A record's time is its business timestamp where the feed carries one every business day
(`MEASURED_ON`). Master data and case-tool exports (customers, agents, cases and their events)
can stay unchanged for days in a small portfolio, so their business timestamps say nothing about
the feed: they are measured on the extraction time of the newest file loaded (an export with no
change, a header alone, counts: the feed delivered; a rejected file does not), read from its
name (`..._2026-11-20T0200.csv`, DESIGN.md §3), else its load time (raw._loads).

Each evaluation is stored in `quality.source_freshness` (one row per source, see `DDL`) beside
its `freshness` row in `quality.check_results`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

import duckdb

from data_quality.sqlcheck import SqlOutcome

if TYPE_CHECKING:
    from dashboards.postgres import Connection

EXTRACTED = "file extraction time"
MEASURED_ON: dict[str, str] = {
    "erp_customers": EXTRACTED,
    "erp_invoices": "issue_date",
    "erp_payment_allocations": "allocated_at",
    "cases_cases": EXTRACTED,
    "cases_case_events": EXTRACTED,
    "cases_agents": EXTRACTED,
    "contacts_calls": "started_at",
    "contacts_messages": "sent_at",
    "bank_entries": "booking_date",
    "fx_rates": "rate_date",
}
TABLE = "quality.source_freshness"
DDL = f"""
create table if not exists {TABLE} (
    source_table varchar not null,
    measured_on varchar not null,
    cadence_hours integer not null,
    newest_record_at timestamp,
    as_of_date date not null,
    age_hours double precision,
    status varchar not null,
    evaluated_at timestamp not null,
    run_id varchar not null
)"""
# The extraction time in a file name (`invoices_2026-11-20T0200.csv`), else the load time.
_EXTRACTED_SQL = r"""
    select max(coalesce(
        try_strptime(regexp_extract(source_file, '(\d{4}-\d{2}-\d{2}T\d{4})', 1), '%Y-%m-%dT%H%M'),
        _loaded_at
    ))
    from raw._loads
    where source_table = ? and status = 'loaded'
"""


@dataclass(frozen=True)
class Freshness:
    """One source's freshness at `as_of`; `newest_at` None means no row was ever loaded."""

    source_table: str
    measured_on: str
    cadence_hours: int
    newest_at: datetime | None
    as_of: date

    @property
    def age_hours(self) -> float | None:
        if self.newest_at is None:
            return None
        start = datetime.combine(self.as_of, time(0))
        return max((start - self.newest_at).total_seconds() / 3600, 0.0)

    @property
    def status(self) -> str:
        age = self.age_hours
        return "fresh" if age is not None and age <= self.cadence_hours else "stale"


def _span(hours: float) -> str:
    """36 -> `36 h`, 96 -> `4 days`, 250.5 -> `10.4 days`."""
    if hours < 48:
        return f"{hours:.0f} h"
    days = hours / 24
    return f"{days:.0f} days" if days == int(days) else f"{days:.1f} days"


def newest_record(
    con: Connection,
    table: str,
    loads: duckdb.DuckDBPyConnection | None = None,
) -> datetime | None:
    """The time of `raw.<table>`'s newest record, measured as `MEASURED_ON[table]` says
    (`loads`: where `raw._loads` is read, default `con`)."""
    measured_on = MEASURED_ON[table]
    if measured_on == EXTRACTED:
        row = (loads or con).execute(_EXTRACTED_SQL, [table]).fetchone()
    else:
        row = con.execute(
            f"select cast(max({measured_on}) as timestamp) from raw.{table}"
        ).fetchone()
    return row[0] if row else None


def measure(
    con: Connection,
    cadences: Mapping[str, int],
    as_of: date,
    loads: duckdb.DuckDBPyConnection | None = None,
) -> list[Freshness]:
    """Freshness of every source of `cadences` (source table -> cadence in hours), the raw
    tables read on `con` (a DuckDB warehouse, or a PostgreSQL one through
    `dashboards.postgres`), `raw._loads` on `loads` (default `con`; a PostgreSQL build's
    scratch DuckDB file holds the whole log)."""
    return [
        Freshness(table, MEASURED_ON[table], hours, newest_record(con, table, loads), as_of)
        for table, hours in cadences.items()
    ]


def outcome(item: Freshness) -> SqlOutcome:
    """The check outcome of one source: one failing key when stale, saying why."""
    expected = f"expected within {_span(item.cadence_hours)}"
    if item.newest_at is None:
        line = f"{item.source_table}: no row loaded yet ({expected})"
    else:
        line = (
            f"{item.source_table}: newest record ({item.measured_on}) "
            f"{item.newest_at:%Y-%m-%d %H:%M} is {_span(item.age_hours or 0.0)} old "
            f"on {item.as_of} ({expected})"
        )
    figures: dict[str, object] = {
        "measured_on": item.measured_on,
        "newest_record_at": None if item.newest_at is None else item.newest_at.isoformat(),
        "as_of_date": item.as_of.isoformat(),
        "age_hours": None if item.age_hours is None else round(item.age_hours, 1),
        "cadence_hours": item.cadence_hours,
        "status": item.status,
    }
    stale = item.status == "stale"
    return SqlOutcome(int(stale), (line,) if stale else (), f"{item.status}: {line}", figures)


def store(
    con: duckdb.DuckDBPyConnection,
    items: Sequence[Freshness],
    run_id: str,
    evaluated_at: datetime | None = None,
) -> None:
    """Append one `quality.source_freshness` row per item (creates the table on first use)."""
    con.execute("create schema if not exists quality")
    con.execute(DDL)
    con.executemany(
        f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        table_rows(items, run_id, evaluated_at),
    )


def table_rows(
    items: Sequence[Freshness], run_id: str, evaluated_at: datetime | None = None
) -> list[list[object]]:
    """The `quality.source_freshness` rows of `items`, in `DDL`'s column order (the same on a
    DuckDB and a PostgreSQL warehouse)."""
    at = evaluated_at or datetime.now(UTC).replace(tzinfo=None)
    return [
        [
            i.source_table,
            i.measured_on,
            i.cadence_hours,
            i.newest_at,
            i.as_of,
            i.age_hours,
            i.status,
            at,
            run_id,
        ]
        for i in items
    ]
