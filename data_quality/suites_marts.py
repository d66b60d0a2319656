"""Suites on the main marts besides the ageing (see `data_quality.suites`): keys unique and not
null, allowed values and signs. dbt's own tests check the same keys inside the build; these run
after it, as Dagster checks, and are recorded in `quality.check_results` with failing keys.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations as gx

from data_quality.expectations import (
    E,
    at_least,
    blocking,
    currency,
    in_set,
    make_suite,
    not_before,
    not_null,
    positive_amount,
    warning,
)

PROMISE_OUTCOMES = ("kept", "partially_kept", "broken", "pending")
STUCK_RULES = ("stage_sla", "no_contact", "broken_promise_no_follow_up")
DSO_SEGMENTS = ("B2B", "B2C", "unknown", "all")


def _unique(columns: list[str], reason: str) -> gx.expectations.Expectation:
    return blocking(reason, E.ExpectCompoundColumnsToBeUnique(column_list=columns))


def _mart(name: str, key: list[str], expectations: list) -> gx.ExpectationSuite:
    return make_suite(f"marts.{name}", key, ["marts", name], expectations)


def fct_dso_suite() -> gx.ExpectationSuite:
    """Monthly DSO, CEI and best-possible DSO (marts.fct_dso)."""
    key = ["month", "segment", "period_months"]
    grain = "the mart's grain is month x segment x period length"
    return _mart(
        "fct_dso",
        key,
        [
            *(not_null(c, grain) for c in key),
            _unique(key, grain),
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
        ],
    )


def fct_promises_suite() -> gx.ExpectationSuite:
    """Promises to pay and their outcome (marts.fct_promises)."""
    key = "the mart's grain is one row per promise"
    return _mart(
        "fct_promises",
        ["promise_id"],
        [
            not_null("promise_id", key),
            blocking(key, E.ExpectColumnValuesToBeUnique(column="promise_id")),
            not_null("case_id", "a promise belongs to a case"),
            not_null("debtor_id", "payments are matched on the case's debtor"),
            in_set("outcome", PROMISE_OUTCOMES, "kept rates count these outcomes"),
            positive_amount("promised_amount"),
            at_least("paid_amount", 0, "paid amounts are sums of positive allocations"),
            currency(),
            not_before(
                "window_end_date", "promised_date", "the grace window ends after the promise"
            ),
            warning(
                "a promise without an agent falls out of agent kept rates only",
                E.ExpectColumnValuesToNotBeNull(column="agent_id"),
            ),
        ],
    )


def fct_stuck_cases_suite() -> gx.ExpectationSuite:
    """Open cases stuck at as_of, per rule broken (marts.fct_stuck_cases)."""
    key = ["case_id", "rule"]
    grain = "the mart's grain is case x rule broken"
    return _mart(
        "fct_stuck_cases",
        key,
        [
            *(not_null(c, grain) for c in key),
            _unique(key, grain),
            in_set("rule", STUCK_RULES, "the work queue groups cases by these rules"),
            at_least("threshold_days", 0, "thresholds are day counts"),
            blocking(
                "a case is stuck only once days elapsed exceed the rule's threshold",
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="days_elapsed", column_B="threshold_days", or_equal=False
                ),
            ),
            blocking(
                "stuck_since = reference_date + threshold_days + 1 is after the reference",
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="stuck_since", column_B="reference_date", or_equal=False
                ),
            ),
        ],
    )


MART_SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    f"marts.{fn.__name__.removesuffix('_suite')}": fn
    for fn in (fct_dso_suite, fct_promises_suite, fct_stuck_cases_suite)
}
