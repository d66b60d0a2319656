"""Suites on the marts besides the ageing (see `data_quality.suites`): one `MartSpec` per mart.

A spec names the mart's key (its dbt unique test, DESIGN.md §4's grain): every key column is
checked not null and the key unique, and failing rows are reported by it. Then counts (>= 0),
rates (between 0 and 1), amounts that are never negative, and the expectations particular to
the mart: allowed labels, date order, parts not above their whole. Columns null by design
(undefined figures, a missing rate) get no not-null check; range and order checks skip nulls.

dbt's own tests check some of the same inside the build; these run after it, as Dagster checks,
and are recorded in `quality.check_results` with failing keys. The finance marts are here, the
operations and compliance marts in `data_quality.suites_marts_ops`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from data_quality.expectations import (
    E,
    at_least,
    blocking,
    currency,
    in_set,
    make_suite,
    not_before,
    not_null,
)

SEGMENTS = ("B2B", "B2C", "unknown")  # unknown: no customer record
DSO_SEGMENTS = (*SEGMENTS, "all")
# Label -> days (low, high), None = open-ended: DESIGN.md §4, macro finance_ageing_bucket.
AGEING_BUCKET_DAYS: dict[str, tuple[int | None, int | None]] = {
    "current": (None, 0),
    "1-30": (1, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "91-120": (91, 120),
    "120+": (121, None),
}
CASH_RATE_BASES = ("agent_segment", "segment", "all")  # fct_cash_expected.kept_rate_basis

COUNT = "a count is never negative"
RATE = "a rate is a share of a whole: between 0 and 1"
AMOUNT = "built from positive documents, payments and placements: a negative one is a sign error"
BUCKETS = "bucket labels are fixed by DESIGN.md §4"


def _unique(columns: list[str], reason: str) -> Expectation:
    return blocking(reason, E.ExpectCompoundColumnsToBeUnique(column_list=columns))


def _mart(name: str, key: list[str], expectations: list) -> gx.ExpectationSuite:
    return make_suite(f"marts.{name}", key, ["marts", name], expectations)


def positive(column: str, reason: str) -> Expectation:
    return blocking(
        reason, E.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True)
    )


def rate(column: str) -> Expectation:
    return blocking(RATE, E.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=1))


def _when(flag: tuple[str, bool], reason: str, expectation: Expectation) -> Expectation:
    """`expectation`, blocking, on the rows where the boolean column flag[0] is flag[1]."""
    column, value = flag
    expectation.row_condition = Column(column) == value
    return blocking(reason, expectation)


def bucket_rules(days: str) -> list[Expectation]:
    """Each ageing bucket holds exactly the rows whose `days` fall in its range."""
    return [
        blocking(
            f"bucket '{bucket}' must hold exactly the items {low}..{high} {days}",
            E.ExpectColumnValuesToBeBetween(
                column=days,
                min_value=low,
                max_value=high,
                row_condition=Column("ageing_bucket") == bucket,
            ),
        )
        for bucket, (low, high) in AGEING_BUCKET_DAYS.items()
    ]


@dataclass(frozen=True)
class MartSpec:
    """The suite of `marts.<name>`: its key and `grain` (the mart's grain is ...), counts,
    rates and amounts never negative, and `more`: the expectations particular to it (a
    function, so that every suite gets fresh expectation objects)."""

    name: str
    doc: str
    key: tuple[str, ...]
    grain: str
    counts: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    more: Callable[[], list[Expectation]] = list

    def suite(self) -> gx.ExpectationSuite:
        grain = f"the mart's grain is {self.grain}"
        key = list(self.key)
        unique = (
            E.ExpectColumnValuesToBeUnique(column=key[0])
            if len(key) == 1
            else E.ExpectCompoundColumnsToBeUnique(column_list=key)
        )
        return _mart(
            self.name,
            key,
            [
                *(not_null(c, grain) for c in key),
                blocking(grain, unique),
                *(at_least(c, 0, COUNT) for c in self.counts),
                *(rate(c) for c in self.rates),
                *(at_least(c, 0, AMOUNT) for c in self.amounts),
                *self.more(),
            ],
        )


def suite_functions(specs: Sequence[MartSpec]) -> dict[str, Callable[[], gx.ExpectationSuite]]:
    """`SUITES` entries: `marts.<name>` -> a function building the suite, documented by the
    spec's `doc` (the Dagster check's description)."""

    def function(spec: MartSpec) -> Callable[[], gx.ExpectationSuite]:
        def build() -> gx.ExpectationSuite:
            return spec.suite()

        build.__doc__ = f"{spec.doc} (marts.{spec.name})."
        build.__name__ = build.__qualname__ = f"{spec.name}_suite"
        return build

    return {f"marts.{spec.name}": function(spec) for spec in specs}


def _dso_expectations() -> list[Expectation]:
    """fct_dso and fct_dso_periods share their columns (fct_dso is the one-month rows)."""
    return [
        in_set("period_months", (1, 3), "DSO periods are 1 or 3 months (DESIGN.md §4)"),
        in_set("segment", DSO_SEGMENTS, "dashboards filter on these segment labels"),
        at_least("ending_ar_rc", 0, "open receivables are never negative"),
        at_least("beginning_ar_rc", 0, "open receivables are never negative"),
        at_least("current_ar_rc", 0, "the not-yet-due part of AR is never negative"),
        not_before("ending_ar_rc", "current_ar_rc", "current AR is a part of ending AR"),
        not_before("period_end_date", "period_start_date", "a period ends after it starts"),
        at_least(
            "standard_dso_days",
            0,
            "a negative DSO hints at net credit notes exceeding sales",
            is_blocking=False,
        ),
    ]


FINANCE_MARTS = (
    MartSpec(
        "fct_dso",
        "Monthly DSO, CEI and best-possible DSO (DESIGN.md §4's grain)",
        ("month", "segment"),
        "month x segment",
        more=_dso_expectations,
    ),
    MartSpec(
        "fct_dso_periods",
        "DSO, CEI and best-possible DSO over one month and the rolling three months",
        ("month", "segment", "period_months"),
        "month x segment x period length",
        more=_dso_expectations,
    ),
    MartSpec(
        "fct_ar_ageing_by_invoice_date",
        "Receivables ageing by invoice date, the second labelled view",
        ("snapshot_date", "invoice_id"),
        "open item x snapshot date",
        more=lambda: [
            in_set("ageing_bucket", AGEING_BUCKET_DAYS, BUCKETS),
            in_set("ageing_basis", ["invoice_date"], "the view is never mixed with the ageing"),
            at_least("days_since_issue", 0, "an item is aged from its issue date on"),
            positive("open_amount", "only open items are aged (excess credit is reported apart)"),
            *bucket_rules("days_since_issue"),
        ],
    ),
    MartSpec(
        "fct_ar_movements",
        "The ageing waterfall: how each invoice's open amount moved between snapshots",
        ("snapshot_date", "invoice_id"),
        "invoice x period between two ageing snapshots",
        amounts=(
            "opening_amount_rc",
            "closing_amount_rc",
            "new_invoice_amount_rc",
            "credit_note_amount_rc",
            "cash_applied_amount_rc",
        ),
        more=lambda: [
            in_set("opening_ageing_bucket", AGEING_BUCKET_DAYS, BUCKETS),
            in_set("closing_ageing_bucket", AGEING_BUCKET_DAYS, BUCKETS),
            not_before("snapshot_date", "previous_snapshot_date", "a period ends after it starts"),
        ],
    ),
    MartSpec(
        "fct_cash_expected",
        "Cash expected from pending promises due in the next 30 days",
        ("promise_id",),
        "one row per pending promise due in the next 30 days",
        rates=("kept_rate_used",),
        amounts=("remaining_amount_rc", "expected_amount_rc"),
        more=lambda: [
            blocking(
                "the 7- and 30-day horizons sum promises due from as_of to 30 days later",
                E.ExpectColumnValuesToBeBetween(column="days_until_due", min_value=0, max_value=30),
            ),
            in_set("kept_rate_basis", CASH_RATE_BASES, "the cash page explains the basis"),
            not_before(
                "remaining_amount_rc",
                "expected_amount_rc",
                "the expected amount is the remaining amount weighted by a rate of at most 1",
            ),
        ],
    ),
    MartSpec(
        "fct_recovery_cases",
        "Recovery of each placed case at each month on book",
        ("case_id", "month_on_book"),
        "placed case x month on book",
        counts=("month_on_book",),
        rates=("recovery_rate",),
        amounts=(
            "placed_amount_rc",
            "recovered_to_date_rc",
            "collected_in_month_rc",
            "open_placed_balance_at_start_rc",
        ),
        more=lambda: [
            not_null("placement_month", "the case's cohort is its placement month"),
            not_null("segment", "curves narrowed to a segment would lose the case"),
            in_set("segment", SEGMENTS, "the recovery page filters on these segment labels"),
            not_before(
                "placed_amount_rc",
                "recovered_to_date_rc",
                "recovery is capped at the placed amount",
            ),
            not_before("calendar_month", "placement_month", "months on book start at placement"),
        ],
    ),
    MartSpec(
        "fct_recovery_cohorts",
        "Recovery curves per placement cohort and month on book",
        ("placement_month", "month_on_book"),
        "placement month x month on book",
        counts=("month_on_book", "cases_count"),
        rates=("recovery_rate", "liquidation_rate"),
        amounts=(
            "placed_amount_rc",
            "recovered_amount_rc",
            "collected_in_month_rc",
            "open_placed_balance_at_start_rc",
        ),
        more=lambda: [
            not_before(
                "placed_amount_rc", "recovered_amount_rc", "recovery is capped at the placed amount"
            ),
            not_before("calendar_month", "placement_month", "months on book start at placement"),
        ],
    ),
    MartSpec(
        "fct_recovery_liquidation",
        "Liquidation rate per calendar month over all placed cases",
        ("calendar_month",),
        "one row per calendar month",
        counts=("cases_count",),
        rates=("liquidation_rate",),
        amounts=("collected_in_month_rc", "open_placed_balance_at_start_rc"),
        more=lambda: [
            not_before(
                "open_placed_balance_at_start_rc",
                "collected_in_month_rc",
                "a month collects at most the balance open at its start",
            )
        ],
    ),
    MartSpec(
        "dim_currencies",
        "The currencies figures can be shown in, at their rate on as_of",
        ("currency",),
        "one row per display currency",
        more=lambda: [
            currency(),
            positive("rate_to_reporting", "displayed amounts are divided by the rate"),
            positive("units_per_reporting_unit", "displayed amounts are multiplied by it"),
            not_before("as_of_date", "rate_date", "the rate is the latest on or before as_of"),
            _when(
                ("is_reporting_currency", True),
                "the reporting currency converts at 1",
                E.ExpectColumnValuesToBeBetween(
                    column="rate_to_reporting", min_value=1, max_value=1
                ),
            ),
        ],
    ),
    MartSpec(
        "fct_unapplied_credit",
        "Unapplied credit (payments and credit notes beyond an invoice), reported apart",
        ("snapshot_date", "invoice_id"),
        "invoice x snapshot date with unapplied credit",
        amounts=("unapplied_credit_amount_rc",),
        more=lambda: [
            positive("unapplied_credit_amount", "only invoices applied beyond their amount"),
        ],
    ),
)

MART_SUITES = suite_functions(FINANCE_MARTS)
