"""The dashboards' one query layer: parameterised SQL on the marts, read-only.

Every function opens a read-only DuckDB connection, runs one statement from `dashboards/sql/`
with `?` parameters, closes the connection and returns a pandas frame (or a small typed
record). A warehouse that cannot be read becomes a `WarehouseUnavailable` subclass whose
`message` is fit to show to a user. No Streamlit here: caching belongs to the page layer.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from amicable.case_file import CaseFile, CaseFileError, CaseNotFound, load_case_file
from amicable.settings import WAREHOUSE_ENV
from dashboards.money import DisplayCurrency, translate_frame

AGEING_BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "91-120", "120+")
SEGMENTS: tuple[str, ...] = ("all", "B2B", "B2C")
PERIOD_MONTHS: tuple[int, ...] = (1, 3)
STUCK_RULES: tuple[str, ...] = ("all", "stage_sla", "no_contact", "broken_promise_no_follow_up")
# Steps of the ageing waterfall, in order: columns `<step>_rc` of marts.fct_ar_movements.
WATERFALL_STEPS: tuple[str, ...] = (
    "opening_amount",
    "new_invoice_amount",
    "credit_note_amount",
    "cash_applied_amount",
    "unapplied_credit_change_amount",
    "fx_revaluation_amount",
    "closing_amount",
)
KEPT_RATE_DIMENSIONS: tuple[str, ...] = ("agent", "team", "segment", "strategy", "all")
ALL = "all"  # the filter value that keeps every row
SQL_DIR = Path(__file__).with_name("sql")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

_BUILD_HINT = "run `amicable build`"


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read; `message` is for the user, `detail` for the curious."""

    message = "The warehouse cannot be read."

    def __init__(self, warehouse: Path | str | None, detail: str) -> None:
        self.warehouse = None if warehouse is None else Path(warehouse)
        self.detail = detail
        super().__init__(f"{self.message} ({detail})")


class WarehouseNotBuilt(WarehouseUnavailable):
    """No warehouse file, or the marts are not there yet."""

    message = f"No warehouse yet: {_BUILD_HINT}."


class WarehouseBusy(WarehouseUnavailable):
    """A build holds the warehouse's write lock."""

    message = "The warehouse is being built right now; retry in a moment."


class WarehouseUnreadable(WarehouseUnavailable):
    """The file is not a DuckDB warehouse, or its marts do not match this app."""

    message = f"The warehouse cannot be read by this version of the app: {_BUILD_HINT}."


@dataclass(frozen=True)
class AgeingKpis:
    """KPI row of the ledger ageing for one snapshot and segment (amounts in reporting currency)."""

    total_open_rc: Decimal
    overdue_open_rc: Decimal
    overdue_share: float | None  # overdue ÷ total open; None when nothing is open
    open_items: int
    reporting_currency: str | None

    def in_currency(self, currency: DisplayCurrency) -> AgeingKpis:
        return replace(
            self,
            total_open_rc=currency.amount(self.total_open_rc),
            overdue_open_rc=currency.amount(self.overdue_open_rc),
            reporting_currency=currency.code,
        )


@dataclass(frozen=True)
class ArWaterfall:
    """The open ledger between two snapshots (reporting currency): `amounts` maps each of
    WATERFALL_STEPS to its sum; credit notes and cash applied are positive reductions, so
    closing = opening + new − credit notes − cash + unapplied credit change + FX."""

    amounts: dict[str, Decimal]
    movement_rows: int
    reporting_currency: str | None

    def in_currency(self, currency: DisplayCurrency) -> ArWaterfall:
        amounts = {step: currency.amount(amount) for step, amount in self.amounts.items()}
        return replace(self, amounts=amounts, reporting_currency=currency.code)

    def signed_change(self, step: str) -> Decimal:
        """A movement step with the sign it has on the open AR."""
        amount = self.amounts[step]
        return -amount if step in ("credit_note_amount", "cash_applied_amount") else amount


@dataclass(frozen=True)
class RecoveryRates:
    """`curves`: one row per cohort (placement_month) and month_on_book with recovery_rate;
    `liquidation`: one row per calendar_month with liquidation_rate (rates 0–1, null when
    undefined), both over the same narrowed cases."""

    curves: pd.DataFrame
    liquidation: pd.DataFrame

    def in_currency(self, currency: DisplayCurrency) -> RecoveryRates:
        return RecoveryRates(
            translate_frame(self.curves, currency), translate_frame(self.liquidation, currency)
        )


@dataclass(frozen=True)
class KeptRate:
    """Promise kept rate of one dimension value over one due month or all of them."""

    promises_decided: int
    promises_kept: int
    kept_rate_by_count: float | None  # kept ÷ decided; None when nothing is decided
    kept_rate_by_amount: float | None  # kept ÷ decided promised amount (reporting currency)


def warehouse_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """The warehouse file named by `AMICABLE_WAREHOUSE` (read now, not at import)."""
    value = (os.environ if environ is None else environ).get(WAREHOUSE_ENV, "").strip()
    if not value:
        raise WarehouseNotBuilt(
            None,
            f"{WAREHOUSE_ENV} is not set; start the app with `amicable serve --warehouse FILE`",
        )
    return Path(value).expanduser()


def snapshot_dates(warehouse: Path | str) -> list[dt.date]:
    """Snapshot dates present in `marts.fct_ar_ageing`, newest first."""
    frame = _frame(warehouse, "ageing_snapshot_dates", ())
    return [_as_date(value) for value in frame["snapshot_date"]]


def ageing_kpis(warehouse: Path | str, snapshot_date: dt.date, segment: str) -> AgeingKpis:
    """Total open, overdue open and share, and open item count at `snapshot_date`."""
    _check_choice("segment", segment, SEGMENTS)
    with _connect(warehouse) as connection:
        row = _execute(
            connection, warehouse, "ageing_kpis", (snapshot_date, segment, segment)
        ).fetchone()
    assert row is not None  # an aggregate without group by always returns one row
    total, overdue, share, items, currency = row
    return AgeingKpis(
        total_open_rc=Decimal(total),
        overdue_open_rc=Decimal(overdue),
        overdue_share=None if share is None else float(share),
        open_items=int(items),
        reporting_currency=currency,
    )


def ageing_by_bucket(warehouse: Path | str, snapshot_date: dt.date, segment: str) -> pd.DataFrame:
    """One row per bucket in bucket order: ageing_bucket, open_items, open_amount_rc,
    share_of_open (0–1, null when nothing is open)."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "ageing_by_bucket", (snapshot_date, segment, segment))


def ageing_items(
    warehouse: Path | str,
    snapshot_date: dt.date,
    segment: str,
    ageing_bucket: str,
    limit: int | None = None,
) -> pd.DataFrame:
    """Open items of one bucket (the drill-down), most days past due first; at most `limit`."""
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("ageing_bucket", ageing_bucket, AGEING_BUCKETS)
    _check_limit(limit)
    parameters = (snapshot_date, segment, segment, ageing_bucket, limit)
    return _frame(warehouse, "ageing_items", parameters)


def dso_months(warehouse: Path | str, segment: str, period_months: int) -> pd.DataFrame:
    """`marts.fct_dso` rows of one segment and period length (1 or 3 months), oldest first."""
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("period_months", period_months, PERIOD_MONTHS)
    return _frame(warehouse, "dso_months", (segment, period_months))


def stuck_cases(warehouse: Path | str, rule: str, agent_id: str) -> pd.DataFrame:
    """Open cases breaking a stuck rule (`rule`/`agent_id` 'all' for every one), oldest first."""
    _check_choice("rule", rule, STUCK_RULES)
    return _frame(warehouse, "stuck_cases", (rule, rule, agent_id, agent_id))


def stuck_agents(warehouse: Path | str) -> list[str]:
    """Agents owning at least one stuck case."""
    return list(_frame(warehouse, "stuck_agents", ())["agent_id"])


def case_timeline(warehouse: Path | str, case_id: str) -> pd.DataFrame:
    """Every source record of one case in time order (`marts.fct_case_timeline`)."""
    return _frame(warehouse, "case_timeline", (case_id,))


CHECK_STATUSES: tuple[str, ...] = ("all", "fail", "warn", "pass")


def health_runs(warehouse: Path | str, limit: int = 20) -> pd.DataFrame:
    """The latest `limit` build runs, newest first: files and rows loaded, checks by status.

    The data health page reads the pipeline's own records (`raw._loads`, `raw.quarantine`,
    `quality.*`), not marts: they are written during the build, after dbt.
    """
    return _frame(warehouse, "health_runs", (limit,))


def health_checks(warehouse: Path | str, run_id: str, status: str) -> pd.DataFrame:
    """Check results of one run (`status` 'all' for every one), failures first."""
    _check_choice("status", status, CHECK_STATUSES)
    return _frame(warehouse, "health_checks", (run_id, status, status))


def health_freshness(warehouse: Path | str, run_id: str) -> pd.DataFrame:
    """Freshness of each source as evaluated by one run, stale sources first."""
    return _frame(warehouse, "health_freshness", (run_id,))


def health_quarantine_summary(warehouse: Path | str) -> pd.DataFrame:
    """Quarantined rows per source table and reason, over every load."""
    return _frame(warehouse, "health_quarantine_summary", ())


def health_quarantine_rows(warehouse: Path | str, source_table: str, limit: int) -> pd.DataFrame:
    """Rejected rows of one source table ('all': every table), newest first, at most `limit`."""
    return _frame(warehouse, "health_quarantine_rows", (source_table, source_table, limit))


def display_currencies(warehouse: Path | str) -> list[DisplayCurrency]:
    """The currencies figures can be shown in (`marts.dim_currencies`), the reporting one first;
    empty when the mart is not built."""
    try:
        frame = _frame(warehouse, "display_currencies", ())
    except WarehouseNotBuilt:
        return []
    reporting = frame.loc[frame["is_reporting_currency"], "currency"]
    if reporting.empty:
        return []
    return [
        DisplayCurrency(
            code=row.currency,
            reporting=str(reporting.iloc[0]),
            units_per_reporting_unit=Decimal(str(row.units_per_reporting_unit)),
            rate_date=None if pd.isna(row.rate_date) else pd.Timestamp(row.rate_date).date(),
            as_of=pd.Timestamp(row.as_of_date).date(),
        )
        for row in frame.itertuples()
    ]


def breach_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') of `marts.fct_compliance_summary`, oldest first."""
    return _values(warehouse, "breach_months", "month")


def breach_summary(warehouse: Path | str, first_month: str, last_month: str) -> pd.DataFrame:
    """`marts.fct_compliance_summary` rows (month 'YYYY-MM', jurisdiction, rule_id, agent_id,
    team, breaches, unverifiable_contacts, outbound_contacts) of a month range, both ends
    included."""
    return _frame(warehouse, "breach_summary", _month_range(first_month, last_month))


def breach_rows(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    rule_id: str,
    agent_id: str,
    jurisdiction: str = ALL,
) -> pd.DataFrame:
    """Breaches of a month range, one rule, one agent and one jurisdiction ('all': every one),
    newest first."""
    first, last = _month_range(first_month, last_month)
    parameters = (first, last, rule_id, rule_id, agent_id, agent_id, jurisdiction, jurisdiction)
    return _frame(warehouse, "breach_rows", parameters)


def case_file_cases(warehouse: Path | str) -> pd.DataFrame:
    """Cases with an auditor's file (`marts.dim_cases`), those with breaches first."""
    return _frame(warehouse, "case_file_cases", ())


def case_file(warehouse: Path | str, case_id: str) -> CaseFile:
    """The auditor's case file of `case_id` (`amicable.case_file`); CaseNotFound when the
    warehouse has no such case."""
    with _connect(warehouse) as connection:
        try:
            return load_case_file(connection, case_id)
        except CaseNotFound:
            raise
        except CaseFileError as error:  # the case-file marts are not built
            raise WarehouseNotBuilt(warehouse, f"case file: {error}") from error


def agent_case_ids(warehouse: Path | str, agent_id: str) -> list[str]:
    """Cases `agent_id` owns now (`marts.dim_cases`)."""
    return list(_frame(warehouse, "agent_case_ids", (agent_id,))["case_id"])


def ar_waterfall(
    warehouse: Path | str, from_date: dt.date, to_date: dt.date, segment: str
) -> ArWaterfall:
    """Open AR at `from_date`, its movements after it up to `to_date`, and open AR at
    `to_date` (both `marts.fct_ar_ageing` snapshots), from `marts.fct_ar_movements`."""
    _check_range(from_date, to_date)
    _check_choice("segment", segment, SEGMENTS)
    parameters = (from_date, to_date, segment, segment, from_date, to_date)
    with _connect(warehouse) as connection:
        cursor = _execute(connection, warehouse, "ar_waterfall", parameters)
        row = cursor.fetchone()
    assert row is not None  # an aggregate without group by always returns one row
    *amounts, movement_rows, currency = row
    return ArWaterfall(
        amounts={
            step: Decimal(amount) for step, amount in zip(WATERFALL_STEPS, amounts, strict=True)
        },
        movement_rows=int(movement_rows),
        reporting_currency=currency,
    )


def ar_movement_items(
    warehouse: Path | str,
    from_date: dt.date,
    to_date: dt.date,
    segment: str,
    step: str,
    limit: int | None = None,
) -> pd.DataFrame:
    """Invoices whose `step` amount between the two snapshots is not zero (the waterfall's
    drill-down), largest first, with every step's amount; at most `limit` rows."""
    _check_range(from_date, to_date)
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("step", step, WATERFALL_STEPS)
    _check_limit(limit)
    parameters = (from_date, to_date, segment, segment, from_date, to_date, step, limit)
    return _frame(warehouse, "ar_movement_items", parameters)


def ageing_bucket_history(warehouse: Path | str, segment: str) -> pd.DataFrame:
    """Open items and amount per snapshot and bucket (`marts.fct_ar_ageing`), oldest first."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "ageing_bucket_history", (segment, segment))


def recovery_cohort_months(warehouse: Path | str) -> list[dt.date]:
    """Placement months holding at least one case (`marts.fct_recovery_cases`), oldest first."""
    frame = _frame(warehouse, "recovery_cohort_months", ())
    return [_as_date(value) for value in frame["placement_month"]]


def recovery_strategies(warehouse: Path | str) -> list[str]:
    """Strategies of the placed cases."""
    return list(_frame(warehouse, "recovery_strategies", ())["strategy"])


def recovery_rates(
    warehouse: Path | str, first: dt.date, last: dt.date, segment: str, strategy: str
) -> RecoveryRates:
    """Recovery curves (cohorts from `first` to `last`) and liquidation per calendar month over
    the cases of `segment` and `strategy` ('all': any), from `marts.fct_recovery_cases`."""
    _check_choice("segment", segment, SEGMENTS)
    if first > last:
        raise ValueError(f"the first cohort must not come after the last; got {first} and {last}")
    parameters = (first, last, segment, segment, strategy, strategy)
    frame = _frame(warehouse, "recovery_rates", parameters)
    by_grain = {grain: rows.drop(columns="grain") for grain, rows in frame.groupby("grain")}
    empty = frame.drop(columns="grain").head(0)
    curves = by_grain.get("cohort", empty).drop(columns=["liquidation_rate"])
    liquidation = by_grain.get("calendar_month", empty).drop(
        columns=[
            "placement_month",
            "month_on_book",
            "placed_amount_rc",
            "recovered_amount_rc",
            "recovery_rate",
        ]
    )
    return RecoveryRates(
        curves=curves.reset_index(drop=True), liquidation=liquidation.reset_index(drop=True)
    )


def recovery_cohort_cases(
    warehouse: Path | str, cohort: dt.date, segment: str, strategy: str
) -> pd.DataFrame:
    """The cases of one cohort with their recovery to date, least recovered first."""
    _check_choice("segment", segment, SEGMENTS)
    parameters = (cohort, segment, segment, strategy, strategy)
    return _frame(warehouse, "recovery_cohort_cases", parameters)


def cash_expected_agents(warehouse: Path | str) -> list[str]:
    """Agents with a promise expected in the next 30 days."""
    return list(_frame(warehouse, "cash_expected_agents", ())["agent_id"])


def cash_expected_by_agent(warehouse: Path | str, segment: str, agent_id: str) -> pd.DataFrame:
    """Promised (raw) and kept-rate-weighted cash in the next 7 and 30 days per agent and
    segment, with the rate and its basis (`marts.fct_cash_expected`)."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "cash_expected_by_agent", (segment, segment, agent_id, agent_id))


def cash_expected_promises(warehouse: Path | str, segment: str, agent_id: str) -> pd.DataFrame:
    """The pending promises behind the expected cash, soonest due first."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "cash_expected_promises", (segment, segment, agent_id, agent_id))


def flow_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') in which a case left a stage, oldest first."""
    return _values(warehouse, "flow_months", "month")


def flow_strategies(warehouse: Path | str) -> list[str]:
    """Case strategies present in `marts.fct_case_stage_durations`."""
    return _values(warehouse, "flow_strategies", "strategy")


def stage_flow(
    warehouse: Path | str, first_month: str, last_month: str, segment: str, strategy: str
) -> pd.DataFrame:
    """Directly-follows graph of the moves made from `first_month` to `last_month` ('YYYY-MM',
    both included) for a segment and strategy ('all' for every one): one row per from_stage,
    to_stage with transition_count, case_count, median, p90 and mean duration (days in
    from_stage), as `marts.fct_stage_transitions`; longest median first."""
    _check_choice("segment", segment, SEGMENTS)
    parameters = (*_month_range(first_month, last_month), segment, segment, strategy, strategy)
    return _frame(warehouse, "stage_flow", parameters)


def stage_moves(
    warehouse: Path | str,
    from_stage: str,
    to_stage: str,
    first_month: str,
    last_month: str,
    segment: str,
    strategy: str,
) -> pd.DataFrame:
    """The moves behind one transition of `stage_flow` (same filters), longest stay first."""
    _check_choice("segment", segment, SEGMENTS)
    months = _month_range(first_month, last_month)
    parameters = (from_stage, to_stage, *months, segment, segment, strategy, strategy)
    return _frame(warehouse, "stage_moves", parameters)


def stage_time(
    warehouse: Path | str, first_month: str, last_month: str, segment: str, strategy: str
) -> pd.DataFrame:
    """Time in stage per stage: stays ended in the month range (stays_completed, median_days,
    p90_days) and stays running at as_of (stays_running, median_running_days)."""
    _check_choice("segment", segment, SEGMENTS)
    parameters = (segment, segment, strategy, strategy, *_month_range(first_month, last_month))
    return _frame(warehouse, "stage_time", parameters)


def agent_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') with rows in `marts.fct_agent_daily`, oldest first."""
    return _values(warehouse, "agent_months", "month")


def agent_teams(warehouse: Path | str) -> list[str]:
    """Teams present in `marts.fct_agent_daily`."""
    return _values(warehouse, "agent_teams", "team")


def agent_league(
    warehouse: Path | str, first_month: str, last_month: str, team: str
) -> pd.DataFrame:
    """One row per agent of `team` ('all' for every team) over the month range: attempts, RPC,
    RPC rate, promises made, promised and collected amounts (reporting currency), kept rates of
    the promises falling due in the range (by count and amount) and open caseload on the
    range's last day; most collected first."""
    months = _month_range(first_month, last_month)
    return _frame(warehouse, "agent_league", (*months, team, team, *months))


def agent_daily(
    warehouse: Path | str, agent_id: str, first_month: str, last_month: str
) -> pd.DataFrame:
    """`marts.fct_agent_daily` rows of one agent in the month range, newest first."""
    return _frame(warehouse, "agent_daily", (agent_id, *_month_range(first_month, last_month)))


def agent_promises(
    warehouse: Path | str, agent_id: str, first_month: str, last_month: str
) -> pd.DataFrame:
    """Promises one agent recorded that fell due in the month range, latest due first."""
    months = _month_range(first_month, last_month)
    return _frame(warehouse, "agent_promises", (agent_id, *months))


def broken_promise_options(warehouse: Path | str) -> pd.DataFrame:
    """Distinct agent_id, team, segment, due_month ('YYYY-MM') of broken and partially kept
    promises, for the filters."""
    return _frame(warehouse, "broken_promise_options", ())


def broken_promises(
    warehouse: Path | str, agent_id: str, team: str, segment: str, due_month: str
) -> pd.DataFrame:
    """Broken and partially kept promises with no contact on the case since their window
    ended, with days since then (to as_of); filters 'all' for every one. Longest first."""
    _check_choice("segment", segment, SEGMENTS)
    if due_month != ALL:
        _check_month(due_month)
    parameters = (agent_id, agent_id, team, team, segment, segment, due_month, due_month)
    return _frame(warehouse, "broken_promises", parameters)


def promise_kept_rate(
    warehouse: Path | str, dimension: str, dimension_value: str, due_month: str
) -> KeptRate:
    """Kept rate of one value of a `marts.fct_promise_kept_rates` dimension, over one due month
    ('YYYY-MM') or every month ('all')."""
    _check_choice("dimension", dimension, KEPT_RATE_DIMENSIONS)
    if due_month != ALL:
        _check_month(due_month)
    parameters = (dimension, dimension_value, due_month, due_month)
    row = _frame(warehouse, "promise_kept_rate", parameters).iloc[0]
    return KeptRate(
        promises_decided=int(row["promises_decided"]),
        promises_kept=int(row["promises_kept"]),
        kept_rate_by_count=_optional_float(row["kept_rate_by_count"]),
        kept_rate_by_amount=_optional_float(row["kept_rate_by_amount"]),
    )


@cache
def sql_text(name: str) -> str:
    """The statement stored in `dashboards/sql/<name>.sql`."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _frame(warehouse: Path | str, name: str, parameters: Sequence[Any]) -> pd.DataFrame:
    with _connect(warehouse) as connection:
        return _execute(connection, warehouse, name, parameters).df()


def _values(warehouse: Path | str, name: str, column: str) -> list[str]:
    return [str(value) for value in _frame(warehouse, name, ())[column]]


def _execute(
    connection: duckdb.DuckDBPyConnection,
    warehouse: Path | str,
    name: str,
    parameters: Sequence[Any],
) -> duckdb.DuckDBPyConnection:
    try:
        return connection.execute(sql_text(name), list(parameters))
    except duckdb.CatalogException as error:
        raise WarehouseNotBuilt(warehouse, f"{name}: {_first_line(error)}") from error
    except duckdb.BinderException as error:
        raise WarehouseUnreadable(warehouse, f"{name}: {_first_line(error)}") from error


@contextmanager
def _connect(warehouse: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed on exit; open failures become typed errors."""
    path = Path(warehouse)
    if not path.is_file():
        raise WarehouseNotBuilt(path, f"no file at {path}")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException as error:
        # Same process already holds the file with another configuration (a running build).
        raise WarehouseBusy(path, _first_line(error)) from error
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(path, _first_line(error)) from error
        raise WarehouseUnreadable(path, _first_line(error)) from error
    try:
        yield connection
    finally:
        connection.close()


def _check_choice(field: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(map(str, allowed))}; got {value!r}")


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be zero or more; got {limit}")


def _check_range(first: dt.date, last: dt.date) -> None:
    if first >= last:
        raise ValueError(f"the first snapshot must come before the last; got {first} and {last}")


def _check_month(month: str) -> None:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"a month must read YYYY-MM; got {month!r}")


def _month_range(first_month: str, last_month: str) -> tuple[str, str]:
    _check_month(first_month)
    _check_month(last_month)
    return first_month, last_month


def _optional_float(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # pandas returns DATE columns as timestamps
        return value.date()
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
