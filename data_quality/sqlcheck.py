"""What a SQL data-quality check is and returns, and the SQL pieces they share.

SQL checks cover what a one-table GX suite cannot: referential integrity between sources,
reconciliations between raw tables and marts, volume against the previous load. Each reads the
warehouse over a connection it is given and returns a `SqlOutcome`; `data_quality.checks` turns
them into Dagster asset checks and records them in `quality.check_results`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from data_quality.policy import Level
from ingestion.contracts import SOURCES_BY_NAME

MAX_KEYS = 20


@dataclass(frozen=True)
class SqlOutcome:
    failing_count: int
    failing_keys: tuple[str, ...]  # up to MAX_KEYS
    summary: str  # one line: what was compared and what did not match
    figures: dict[str, object] = field(default_factory=dict)  # counts and totals compared
    checked: int | None = None  # rows the check read (a row-level check's denominator)

    @property
    def success(self) -> bool:
        return self.failing_count == 0


@dataclass(frozen=True)
class Scope:
    """The rows a check reads on a daily build (`data_quality.sql_scope`): the staging rows
    whose kept version came in one of `batches` (the raw batches loaded since the check last
    passed on every row), and the rows whose verdict such a row can change. A check given no
    scope (None) reads every row."""

    batches: tuple[str, ...]

    def rows(self, alias: str) -> str:
        """A SQL condition on staging rows `alias`: their version came in one of the batches
        (a row without a batch counts as new)."""
        listed = ", ".join("'" + b.replace("'", "''") + "'" for b in self.batches)
        return f"({alias}._batch_id is null or {alias}._batch_id in ({listed or 'null'}))"


# References (column, staging table, its key) through which a new version of another source's
# row can change a row's verdict.
INVOICES = ("invoice_id", "staging.stg_erp__invoices", "invoice_id")
ENTRIES = ("payment_ref", "staging.stg_bank__entries", "entry_ref")
CASES = ("case_id", "staging.stg_cases__cases", "case_id")


def touched(scope: Scope | None, alias: str, *references: tuple[str, str, str]) -> str:
    """A SQL condition on rows `alias`: in `scope`, or referencing (column, staging table, its
    key) a row in it, whose new version can change their verdict; `true` without a scope."""
    if scope is None:
        return "true"
    conditions = [scope.rows(alias)] + [
        f"{alias}.{column} in (select changed.{key} from {table} as changed"
        f" where {scope.rows('changed')})"
        for column, table, key in references
    ]
    return "(" + " or ".join(conditions) + ")"


@dataclass(frozen=True)
class SqlCheck:
    """A SQL check attached to `asset` (a Dagster asset key path), reading `deps` as well;
    `level` says what its failure does to the build (`data_quality.policy`), `reason` why.
    `run(con, scope)`; a check that can be restricted to the new rows (`scoped`) says how in
    its docstring, one that cannot is always given None."""

    name: str
    asset: tuple[str, ...]
    deps: tuple[tuple[str, ...], ...]
    level: Level
    reason: str
    run: Callable[[duckdb.DuckDBPyConnection, Scope | None], SqlOutcome]
    scoped: bool = True


def staging_model(table: str) -> str:
    """The staging model of raw table `table` (`erp_payment_allocations` ->
    `stg_erp__payment_allocations`): one row per key, the version staging's `deduplicate_latest`
    keeps. A check that needs rows as staging keeps them reads `staging.<model>` and depends on
    it, so it runs after dbt."""
    if table not in SOURCES_BY_NAME:
        raise KeyError(f"no source table {table!r}")
    return "stg_" + table.replace("_", "__", 1)


def staging(table: str) -> tuple[str, str]:
    """The Dagster asset key path of `table`'s staging model."""
    return ("staging", staging_model(table))


BUILD = ("marts", "dim_build")  # the build's context: as-of date, reporting currency, run


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The build's as-of date, as published by `marts.dim_build`."""
    rows = con.execute("select as_of_date from marts.dim_build").fetchall()
    if len(rows) != 1 or rows[0][0] is None:
        raise LookupError(f"marts.dim_build holds {len(rows)} rows: the as-of date is unknown")
    return rows[0][0]


def money(value: Decimal | None) -> str:
    return "none" if value is None else f"{value:.2f}"
