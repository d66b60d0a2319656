"""The late-payment claims page on the generated sample (`sample_build`): the mart's interest,
recomputed here day by day from the balance periods and the half-year rates, and the page's
figures, which are the mart's; a debtor drills down to their invoices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dashboards.apptest_support import SelectRow, Table, metrics, open_page, table


def recomputed_interest(sample: SampleBuild) -> dict[str, tuple[int, Decimal]]:
    """Per late B2B invoice: (days late, interest), walking every day after the due date up to
    the as-of date with a late amount (the open amount less the credit notes issued after that
    day up to the as-of date: a credit note corrects what was owed), at its half-year's rate
    (simple interest, 365 days)."""
    rates = sample.query(
        "select period_start, period_end, interest_rate_pct from marts.dim_late_payment_rates"
    )
    periods = sample.query(
        "select invoice_id, due_date, valid_from, valid_to, open_amount, credited_amount_to_date"
        " from marts.fct_ar_balance_periods where segment = 'B2B'"
    )
    credited = {
        invoice: credit
        for invoice, _, start, end, _, credit in periods
        if start <= SAMPLE_AS_OF and (end is None or end > SAMPLE_AS_OF)
    }
    totals: dict[str, tuple[int, Decimal]] = {}
    for invoice, due, start, end, amount, credit in periods:
        late = amount - (credited.get(invoice, credit) - credit)
        day = max(start, due + timedelta(days=1))
        last = min(end - timedelta(days=1) if end else SAMPLE_AS_OF, SAMPLE_AS_OF)
        while late > 0 and day <= last:
            rate = next(pct for first, final, pct in rates if first <= day <= final)
            days, exact = totals.get(invoice, (0, Decimal(0)))
            totals[invoice] = (days + 1, exact + late * rate / Decimal(36500))
            day += timedelta(days=1)
    return {
        invoice: (days, exact.quantize(Decimal("0.01"), ROUND_HALF_UP))
        for invoice, (days, exact) in totals.items()
    }


def test_the_mart_charges_each_late_day_at_its_half_years_rate(sample_build: SampleBuild) -> None:
    expected = recomputed_interest(sample_build)
    mart = {
        invoice: (days, interest)
        for invoice, days, interest in sample_build.query(
            "select invoice_id, days_late, interest_amount from marts.fct_late_payment_interest"
        )
    }
    assert len(mart) > 20
    assert mart == expected
    credited_after_due = sample_build.query(
        "select count(distinct invoice_id) from marts.fct_ar_balance_periods"
        " where segment = 'B2B' and credited_amount_to_date > 0 and valid_from > due_date"
    )
    assert credited_after_due[0][0] > 0  # the sample exercises a credit note after the due date
    b2c = sample_build.query(
        "select count(*) from marts.fct_late_payment_interest join marts.fct_ar_balance_periods"
        " using (invoice_id) where fct_ar_balance_periods.segment <> 'B2B'"
    )
    assert b2c == [(0,)]
    assert {
        row[0]
        for row in sample_build.query(
            "select distinct interest_rate_pct from marts.dim_late_payment_rates"
            " where period_start >= date '2025-01-01'"
        )
    } >= {Decimal("13.15")}  # FR: ECB 3.15 % on 2025-01-01 + 10 points


def test_the_headline_and_the_debtors_are_the_marts_claims(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, table_of: Table
) -> None:
    ((invoices, debtors, claimable),) = sample_build.query(
        "select count(*), count(distinct debtor_id), sum(claimable_amount_rc)"
        " from marts.fct_late_payment_interest"
    )

    page = open_page("claims", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    shown = metrics(page)
    assert shown["Late invoices"] == f"{invoices:,}"
    assert shown["Claimable (EUR)"] == f"{claimable:,.2f}"
    by_debtor = table_of(page, "claims_by_debtor")
    assert len(by_debtor) == min(debtors, 100)
    assert by_debtor["claimable_amount_rc"].sum() == pytest.approx(float(claimable))
    amounts = list(by_debtor["claimable_amount_rc"])
    assert amounts == sorted(amounts, reverse=True)


def test_still_overdue_keeps_the_open_claims_only(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, table_of: Table
) -> None:
    ((open_invoices,),) = sample_build.query(
        "select count(*) from marts.fct_late_payment_interest where settled_on is null"
    )
    page = open_page("claims", sample_build.settings.warehouse, monkeypatch, status="Still overdue")

    assert not page.exception
    assert metrics(page)["Late invoices"] == f"{open_invoices:,}"
    by_debtor = table_of(page, "claims_by_debtor")
    assert (by_debtor["invoices"] == by_debtor["open_invoices"]).all()


def test_clicking_a_debtor_lists_their_late_invoices(
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    table_of: Table,
    select_row: SelectRow,
) -> None:
    page = open_page("claims", sample_build.settings.warehouse, monkeypatch)
    first = table_of(page, "claims_by_debtor").iloc[0]

    select_row(page, "claims_by_debtor", 0)

    assert not page.exception
    assert page.selectbox(key="debtor").value == first["debtor_id"]
    invoices = table(page, "legal_reference")  # a plain table: no key without a selection
    assert len(invoices) == first["invoices"]
    assert invoices["claimable_amount_rc"].sum() == pytest.approx(first["claimable_amount_rc"])
    assert (invoices["days_late"] > 0).all()
    assert date.fromisoformat(str(invoices["due_date"].max())[:10]) < SAMPLE_AS_OF
