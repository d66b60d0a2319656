"""Finance pages' queries: ledger ageing, DSO and CEI, the ageing waterfall, recovery curves,
expected cash, debtors' credit exposure, and the display currencies the amount pages offer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from amicable.scores import store
from amicable.scores.spec import PROMISE_KEPT
from dashboards.money import DisplayCurrency, translate_frame

if TYPE_CHECKING:  # amicable.statements reads its SQL through dashboards.queries.core
    from amicable.statements import Statement
from dashboards.queries.core import (
    ALL,
    SEGMENTS,
    WarehouseBusy,
    WarehouseNotBuilt,
    _as_date,
    _check_choice,
    _check_limit,
    _check_range,
    _execute,
    _frame,
    connect_read_only,
)

PERIOD_MONTHS: tuple[int, ...] = (1, 3)
CLAIM_STATUSES: tuple[str, ...] = ("all", "open", "settled")
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


@dataclass(frozen=True)
class AgeingKpis:
    """KPI row of the ledger ageing for one snapshot and segment (amounts in reporting currency)."""

    total_open_rc: Decimal | None  # None when an open item has no FX rate (items_without_rate)
    overdue_open_rc: Decimal | None
    overdue_share: float | None  # overdue ÷ total open; None when nothing is open or no rate
    open_items: int
    reporting_currency: str | None
    items_without_rate: int = 0

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
        """The bridge in `currency`: opening and each movement converted (to the cent), closing
        their sum, so the steps still add up to the closing AR exactly (it may differ by a few
        cents from the converted closing balance)."""
        converted = replace(
            self,
            amounts={step: currency.amount(amount) for step, amount in self.amounts.items()},
            reporting_currency=currency.code,
        )
        movements = WATERFALL_STEPS[1:-1]
        closing = converted.amounts["opening_amount"] + sum(
            converted.signed_change(step) for step in movements
        )
        return replace(converted, amounts={**converted.amounts, "closing_amount": closing})

    def signed_change(self, step: str) -> Decimal:
        """A movement step with the sign it has on the open AR."""
        amount = self.amounts[step]
        return -amount if step in ("credit_note_amount", "cash_applied_amount") else amount


MIN_COHORT_CASES = 3
"""A placement cohort's recovery curve is drawn from this many cases, and a month's liquidation
rate from this many cases placed in the cohorts behind it: a rate on fewer moves with a single
payment, and an old lone case would stretch the axes (the one home of the rule;
`RecoveryRates.charted_curves` and `charted_liquidation` apply it)."""


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

    def charted_curves(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The curves of the cohorts of at least MIN_COHORT_CASES cases, and the cohorts left
        out (placement_month, cases_count), oldest first."""
        sizes = self.curves.groupby("placement_month", as_index=False)["cases_count"].max()
        small = sizes[sizes["cases_count"] < MIN_COHORT_CASES]
        shown = ~self.curves["placement_month"].isin(small["placement_month"])
        return self.curves[shown].reset_index(drop=True), small.reset_index(drop=True)

    def charted_liquidation(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The calendar months whose cohorts hold at least MIN_COHORT_CASES cases, and the
        months left out (calendar_month, cases_count), oldest first."""
        small = self.liquidation["cases_count"] < MIN_COHORT_CASES
        left_out = self.liquidation.loc[small, ["calendar_month", "cases_count"]]
        return self.liquidation[~small].reset_index(drop=True), left_out.reset_index(drop=True)


def snapshot_dates(warehouse: Path | str) -> list[dt.date]:
    """Snapshot dates present in `marts.fct_ar_ageing`, newest first."""
    frame = _frame(warehouse, "ageing_snapshot_dates", ())
    return [_as_date(value) for value in frame["snapshot_date"]]


def ageing_buckets(warehouse: Path | str) -> tuple[str, ...]:
    """The ageing bucket labels in order (`marts.dim_ageing_buckets`: the build's
    configuration, `ageing.bucket_edges`), e.g. current, 1-30, ..., 120+."""
    frame = _frame(warehouse, "ageing_buckets", ())
    return tuple(str(label) for label in frame["ageing_bucket"])


def ageing_kpis(warehouse: Path | str, snapshot_date: dt.date, segment: str) -> AgeingKpis:
    """Total open, overdue open and share, and open item count at `snapshot_date`."""
    _check_choice("segment", segment, SEGMENTS)
    with connect_read_only(warehouse) as connection:
        row = _execute(
            connection, warehouse, "ageing_kpis", (snapshot_date, segment, segment)
        ).fetchone()
    assert row is not None  # an aggregate without group by always returns one row
    total, overdue, share, items, without_rate, currency = row
    return AgeingKpis(
        total_open_rc=None if total is None else Decimal(total),
        overdue_open_rc=None if overdue is None else Decimal(overdue),
        overdue_share=None if share is None else float(share),
        open_items=int(items),
        reporting_currency=currency,
        items_without_rate=int(without_rate),
    )


def ageing_by_bucket(warehouse: Path | str, on_date: dt.date, segment: str) -> pd.DataFrame:
    """The ageing by due date at `on_date` (an ageing snapshot or any other date), one row per
    bucket in bucket order: ageing_bucket, open_items, open_amount_rc, share_of_open (0–1, null
    when nothing is open). From the balance periods (`marts.fct_ar_balance_periods`) at the
    rate in force on `on_date`, bucketed by `marts.dim_ageing_buckets`: on a snapshot date it
    equals `marts.fct_ar_ageing`."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "ageing_by_bucket", (on_date, segment, segment))


def ageing_items(
    warehouse: Path | str,
    snapshot_date: dt.date,
    segment: str,
    ageing_bucket: str,
    limit: int | None = None,
) -> pd.DataFrame:
    """Open items of one bucket ('all': every open item, the open AR at `snapshot_date`), most
    days past due first; at most `limit`."""
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("ageing_bucket", ageing_bucket, (ALL, *ageing_buckets(warehouse)))
    _check_limit(limit)
    parameters = (snapshot_date, segment, segment, ageing_bucket, ageing_bucket, limit)
    return _frame(warehouse, "ageing_items", parameters)


def debtor_cases(warehouse: Path | str, debtor_id: str) -> pd.DataFrame:
    """The collection cases of one debtor (`marts.dim_cases`), newest first: the drill from an
    open invoice to its debtor's cases (the marts link invoices to cases by debtor only)."""
    return _frame(warehouse, "debtor_cases", (debtor_id,))


def dso_months(warehouse: Path | str, segment: str, period_months: int) -> pd.DataFrame:
    """`marts.fct_dso_periods` rows of one segment and period length (1 or 3 months), oldest
    first."""
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("period_months", period_months, PERIOD_MONTHS)
    return _frame(warehouse, "dso_months", (segment, period_months))


def ar_waterfall(
    warehouse: Path | str, from_date: dt.date, to_date: dt.date, segment: str
) -> ArWaterfall:
    """Open AR at `from_date`, its movements after it up to `to_date`, and open AR at
    `to_date` (both `marts.fct_ar_ageing` snapshots), from `marts.fct_ar_movements`."""
    _check_range(from_date, to_date)
    _check_choice("segment", segment, SEGMENTS)
    parameters = (from_date, to_date, segment, segment, from_date, to_date)
    with connect_read_only(warehouse) as connection:
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
    the cases of `segment` and `strategy` ('all': any), from `marts.fct_recovery_curves`."""
    _check_choice("segment", segment, SEGMENTS)
    if first > last:
        raise ValueError(f"the first cohort must not come after the last; got {first} and {last}")
    parameters = (first, last, segment, strategy)
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


CASH_EXPECTED_SCORE = PROMISE_KEPT.name  # the score that weights each promise on the cash page
CASH_EXPECTED_SCORED_COLUMNS = (  # dashboards/sql/cash_expected_scored.sql's
    "promise_id",
    "case_id",
    "agent_id",
    "segment",
    "is_due_within_7_days",
    "remaining_amount_rc",
    "kept_probability",
    "scored_amount_rc",
    "model_version",
    "scores_as_of",
    "reporting_currency",
)


def cash_expected_scored(warehouse: Path | str, segment: str, agent_id: str) -> pd.DataFrame:
    """The pending promises of the next 30 days, each with its own probability of
    `CASH_EXPECTED_SCORE` in the latest scoring run of scores.promise_scores (scored from the
    promise's eve) and still to come × that probability (null for a promise that run did not
    score); no rows before the first scoring run of promises."""
    _check_choice("segment", segment, SEGMENTS)
    with connect_read_only(warehouse) as connection:
        run_id = store.latest_run(connection, CASH_EXPECTED_SCORE, "promise_scores")
        if run_id is None:
            return pd.DataFrame(columns=CASH_EXPECTED_SCORED_COLUMNS)
        parameters = (CASH_EXPECTED_SCORE, run_id, segment, segment, agent_id, agent_id)
        return _execute(connection, warehouse, "cash_expected_scored", parameters).df()


def cash_expected_score_status(warehouse: Path | str) -> tuple[bool, str]:
    """Whether the latest model of `CASH_EXPECTED_SCORE` is current at the warehouse's as-of
    date, and the line that says so (`amicable.scores.store.status`)."""
    with connect_read_only(warehouse) as connection:
        model = store.status(connection, PROMISE_KEPT, store.as_of(connection))
    return model.usable, model.message


EXPOSURE_RANKINGS: tuple[str, ...] = ("open", "days_beyond_terms", "change", "limit_used")
"""How the top debtors can be ranked (largest first): open AR, days beyond terms, change of
open AR since the last month end, share of the credit limit used."""


def debtor_exposure(
    warehouse: Path | str, segment: str, ranking: str, limit: int | None = None
) -> pd.DataFrame:
    """The debtors of `marts.fct_debtor_exposure` with something open now or at the last month
    end, largest `ranking` first; at most `limit`."""
    _check_choice("segment", segment, SEGMENTS)
    _check_choice("ranking", ranking, EXPOSURE_RANKINGS)
    _check_limit(limit)
    return _frame(warehouse, "debtor_exposure", (segment, segment, ranking, limit))


def debtor_exposure_kpis(warehouse: Path | str, segment: str) -> pd.DataFrame:
    """One row: debtors with open items, open, overdue, disputed and promised AR, debtors over
    their limit and with a limit, over `segment` ('all': any)."""
    _check_choice("segment", segment, SEGMENTS)
    return _frame(warehouse, "debtor_exposure_kpis", (segment, segment))


def late_payment_kpis(warehouse: Path | str, status: str) -> pd.DataFrame:
    """One row: invoices and debtors with a late-payment claim of `status` ('all', 'open':
    still overdue, 'settled': paid late), their interest, compensation and claimable amounts
    (reporting currency), from `marts.fct_late_payment_interest`."""
    _check_choice("status", status, CLAIM_STATUSES)
    return _frame(warehouse, "late_payment_kpis", (status,))


def late_payment_debtors(
    warehouse: Path | str, status: str, limit: int | None = None
) -> pd.DataFrame:
    """Late-payment claims of `status` per debtor, largest claim first; at most `limit`."""
    _check_choice("status", status, CLAIM_STATUSES)
    _check_limit(limit)
    return _frame(warehouse, "late_payment_debtors", (status, limit))


def late_payment_invoices(warehouse: Path | str, debtor_id: str, status: str) -> pd.DataFrame:
    """One debtor's late-payment claims of `status`, invoice by invoice, most days late first."""
    _check_choice("status", status, CLAIM_STATUSES)
    return _frame(warehouse, "late_payment_invoices", (debtor_id, status))


def late_payment_rates(warehouse: Path | str) -> pd.DataFrame:
    """The interest rate of each half-year under the creditor's pack, newest first."""
    return _frame(warehouse, "late_payment_rates", ())


def roll_rate_periods(warehouse: Path | str) -> list[dt.date]:
    """Month ends a roll-rate period ends on (`marts.fct_ar_roll_rates`), newest first."""
    frame = _frame(warehouse, "roll_rate_periods", ())
    return [_as_date(value) for value in frame["period_end_date"]]


def roll_rate_strategies(warehouse: Path | str) -> list[str]:
    """Strategies of the roll-rate rows (`not placed` included)."""
    return [str(value) for value in _frame(warehouse, "roll_rate_strategies", ())["strategy"]]


def roll_rate_matrix(
    warehouse: Path | str, period_end: dt.date, segment: str, strategy: str
) -> pd.DataFrame:
    """The transition matrix of the period ending `period_end` over `segment` and `strategy`
    ('all': every one): from_bucket, to_state, invoices, opening_amount_rc, amount_rate and
    count_rate (recomputed over the selection), buckets in order."""
    _check_choice("segment", segment, SEGMENTS)
    parameters = (period_end, segment, segment, strategy, strategy)
    return _frame(warehouse, "roll_rate_matrix", parameters)


def roll_rate_projection(warehouse: Path | str, period_end: dt.date, segment: str) -> pd.DataFrame:
    """Next month's open AR per to_state: the open AR per bucket at `period_end` carried at
    that period's amount rates (every strategy); new invoices are not projected."""
    _check_choice("segment", segment, SEGMENTS)
    parameters = (period_end, segment, segment, segment, segment, period_end)
    return _frame(warehouse, "roll_rate_projection", parameters)


def debtor_statement(warehouse: Path | str, debtor_id: str) -> Statement:
    """The statement of account of `debtor_id` at the build's as-of date over its month
    (`amicable.statements`, the SQL of `amicable statements`); LookupError when the warehouse
    has no invoice of the debtor."""
    from amicable.statements import (
        DebtorNotFound,
        StatementBuildChanged,
        StatementError,
        load_statement,
    )

    with connect_read_only(warehouse) as connection:
        try:
            return load_statement(connection, debtor_id)
        except DebtorNotFound as error:
            raise LookupError(str(error)) from error
        except StatementBuildChanged as error:  # a build published while it was read
            raise WarehouseBusy(warehouse, f"statement: {error}") from error
        except StatementError as error:  # the finance marts are not built
            raise WarehouseNotBuilt(warehouse, f"statement: {error}") from error


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
