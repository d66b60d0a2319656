"""The finance marts of the session sample equal an independent recomputation from the raw
landing-zone files (tests/finance/reference.py): amounts to the cent, day figures and CEI
exactly as published (rounded half away from zero to 0.01)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.finance.raw_sources import Ledger, read_ledger
from tests.finance.reference import bucket, dso_rows, monthly_inputs, open_items

REPORTING = "EUR"
FIGURES = (
    "credit_sales_rc", "beginning_ar_rc", "ending_ar_rc", "current_ar_rc", "standard_dso_days",
    "countback_dso_days", "best_possible_dso_days", "add_days", "cei_pct", "days_in_period",
)  # fmt: skip


@pytest.fixture(scope="module")
def ledger(sample_build: SampleBuild) -> Ledger:
    return read_ledger(sample_build.settings.landing)


@pytest.fixture(scope="module")
def expected_dso(ledger: Ledger) -> dict:
    return dso_rows(monthly_inputs(ledger, SAMPLE_AS_OF, REPORTING), SAMPLE_AS_OF)


def mart_dso(sample_build: SampleBuild) -> dict:
    rows = sample_build.query(
        f"select month, segment, period_months, {', '.join(FIGURES)} from marts.fct_dso_periods"
    )
    return {(r[0], r[1], r[2]): dict(zip(FIGURES, r[3:], strict=True)) for r in rows}


def test_dso_has_every_month_segment_and_period_from_the_first_invoice_month(
    sample_build: SampleBuild, expected_dso: dict
) -> None:
    actual = mart_dso(sample_build)
    assert set(actual) == set(expected_dso)
    months = sorted({month for month, _, _ in actual})
    assert months[-1] == date(2026, 11, 1)
    assert {segment for _, segment, _ in actual} == {"B2B", "B2C", "all"}


def test_dso_amounts_equal_the_raw_recomputation_to_the_cent(
    sample_build: SampleBuild, expected_dso: dict
) -> None:
    actual = mart_dso(sample_build)
    amounts = ("credit_sales_rc", "beginning_ar_rc", "ending_ar_rc", "current_ar_rc")
    mismatches = [
        (key, name, actual[key][name], expected[name])
        for key, expected in expected_dso.items()
        for name in amounts + ("days_in_period",)
        if actual[key][name] != expected[name]
    ]
    assert mismatches == []
    assert sum(1 for e in expected_dso.values() if e["credit_sales_rc"] > 0) > 20


def test_dso_countback_best_possible_add_and_cei_equal_the_recomputation_exactly(
    sample_build: SampleBuild, expected_dso: dict
) -> None:
    actual = mart_dso(sample_build)
    ratios = FIGURES[4:9]
    mismatches = [
        (key, name, actual[key][name], expected[name])
        for key, expected in expected_dso.items()
        for name in ratios
        if actual[key][name] != expected[name]
    ]
    assert mismatches == []
    defined = [e["countback_dso_days"] for e in expected_dso.values()]
    assert sum(1 for value in defined if value is not None and value > 0) > 20


def test_fct_dso_is_the_one_month_periods_one_row_per_month_and_segment(
    sample_build: SampleBuild,
) -> None:
    columns = "month, segment, standard_dso_days, countback_dso_days, add_days, cei_pct"
    one_month = sample_build.query(
        f"select {columns} from marts.fct_dso_periods where period_months = 1 order by 1, 2"
    )
    assert sample_build.query(f"select {columns} from marts.fct_dso order by 1, 2") == one_month
    assert len(one_month) > 20


def test_partial_as_of_month_counts_the_days_elapsed(sample_build: SampleBuild) -> None:
    rows = sample_build.query(
        "select period_months, days_in_period, is_partial_period, period_end_date "
        "from marts.fct_dso_periods where segment = 'all' and month = '2026-11-01' order by 1"
    )
    # 1 month: November 1-20; 3 months: September 30 + October 31 + 20.
    assert rows == [(1, 20, True, SAMPLE_AS_OF), (3, 81, True, SAMPLE_AS_OF)]


def test_as_of_ageing_equals_the_raw_recomputation(
    sample_build: SampleBuild, ledger: Ledger
) -> None:
    expected = {
        (i.invoice_id, i.segment, i.open_amount, i.open_amount_rc, bucket(i.days_past_due))
        for i in open_items(ledger, SAMPLE_AS_OF, REPORTING)
    }
    actual = set(
        sample_build.query(
            "select invoice_id, segment, open_amount, open_amount_rc, ageing_bucket "
            "from marts.fct_ar_ageing where snapshot_date = ?",
            [SAMPLE_AS_OF],
        )
    )
    assert actual == expected
    assert len(expected) > 20


def test_ageing_by_invoice_date_buckets_the_same_items_on_days_since_issue(
    sample_build: SampleBuild, ledger: Ledger
) -> None:
    expected = {
        (i.invoice_id, i.open_amount_rc, i.days_since_issue, bucket(i.days_since_issue))
        for i in open_items(ledger, SAMPLE_AS_OF, REPORTING)
    }
    actual = set(
        sample_build.query(
            "select invoice_id, open_amount_rc, days_since_issue, ageing_bucket "
            "from marts.fct_ar_ageing_by_invoice_date where snapshot_date = ?",
            [SAMPLE_AS_OF],
        )
    )
    assert actual == expected
    labels = sample_build.query(
        "select distinct ageing_basis from marts.fct_ar_ageing_by_invoice_date"
    )
    assert labels == [("invoice_date",)]
