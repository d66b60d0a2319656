"""DSO family, CEI and ageing recomputed in plain Python from a `Ledger` (DESIGN.md §4).

An independent implementation to check the dbt marts: no SQL, Decimal arithmetic, amounts in
the reporting currency rounded to the cent per document / invoice, day figures rounded half up
to 0.01 from the unrounded ratio.
"""

from __future__ import annotations

import bisect
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tests.finance.raw_sources import Ledger

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rate(ledger: Ledger, currency: str, on: date, reporting: str) -> Decimal:
    if currency == reporting:
        return Decimal(1)
    history = ledger.rates[currency]
    index = bisect.bisect_right(history, (on, Decimal("Infinity"))) - 1
    assert index >= 0, f"no {currency} rate on or before {on}"
    return history[index][1]


def open_amount(ledger: Ledger, invoice_id: str, on: date) -> Decimal:
    invoice = ledger.invoices[invoice_id]
    paid = sum((a for i, d, a in ledger.payments if i == invoice_id and d <= on), Decimal(0))
    credited = sum(
        (
            doc["amount"]
            for doc in ledger.invoices.values()
            if doc["document_type"] == "credit_note"
            and doc["reference_invoice_id"] == invoice_id
            and doc["issue_date"] <= on
        ),
        Decimal(0),
    )
    return invoice["amount"] - paid - credited


@dataclass(frozen=True)
class OpenItem:
    invoice_id: str
    segment: str
    open_amount: Decimal
    open_amount_rc: Decimal
    days_past_due: int
    days_since_issue: int
    is_current: bool


def open_items(ledger: Ledger, on: date, reporting: str) -> list[OpenItem]:
    items = []
    for invoice_id, invoice in ledger.invoices.items():
        if invoice["document_type"] != "invoice" or invoice["issue_date"] > on:
            continue
        amount = open_amount(ledger, invoice_id, on)
        if amount > 0:
            items.append(
                OpenItem(
                    invoice_id,
                    ledger.segments.get(invoice["debtor_id"], "unknown"),
                    amount,
                    cents(amount * rate(ledger, invoice["currency"], on, reporting)),
                    (on - invoice["due_date"]).days,
                    (on - invoice["issue_date"]).days,
                    invoice["due_date"] >= on,
                )
            )
    return items


# The default ageing buckets (DESIGN.md §4, config ageing.bucket_edges [30, 60, 90, 120]).
BUCKETS = ("current", "1-30", "31-60", "61-90", "91-120", "120+")


def bucket(days: int) -> str:
    for limit, label in (
        (0, "current"),
        (30, "1-30"),
        (60, "31-60"),
        (90, "61-90"),
        (120, "91-120"),
    ):
        if days <= limit:
            return label
    return "120+"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_days(month: date, as_of: date) -> tuple[date, int]:
    """(period end, days in period) of the month starting `month`; partial for as_of's month."""
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    end = min(end, as_of)
    return end, (end - month).days + 1


@dataclass(frozen=True)
class Month:
    days: int
    sales: Decimal
    beginning: Decimal
    ending: Decimal
    current: Decimal


def monthly_inputs(ledger: Ledger, as_of: date, reporting: str) -> dict[tuple[date, str], Month]:
    """(month start, segment or `all`) -> inputs, from the first invoice month to as_of's."""
    first = min(
        i["issue_date"] for i in ledger.invoices.values()
        if i["document_type"] == "invoice" and i["issue_date"] <= as_of
    ).replace(day=1)  # fmt: skip
    sales: dict[tuple[date, str], Decimal] = {}
    for doc in ledger.invoices.values():
        if doc["issue_date"] > as_of:
            continue
        sign = -1 if doc["document_type"] == "credit_note" else 1
        amount = cents(
            sign * doc["amount"] * rate(ledger, doc["currency"], doc["issue_date"], reporting)
        )
        segment = ledger.segments.get(doc["debtor_id"], "unknown")
        for key in (
            (doc["issue_date"].replace(day=1), segment),
            (doc["issue_date"].replace(day=1), "all"),
        ):
            sales[key] = sales.get(key, Decimal(0)) + amount
    segments = {"all"} | {s for _, s in sales}
    balances: dict[date, dict[str, tuple[Decimal, Decimal]]] = {}

    def ar(on: date) -> dict[str, tuple[Decimal, Decimal]]:
        if on not in balances:
            totals: dict[str, tuple[Decimal, Decimal]] = {}
            for item in open_items(ledger, on, reporting):
                for segment in (item.segment, "all"):
                    total, current = totals.get(segment, (Decimal(0), Decimal(0)))
                    current += item.open_amount_rc if item.is_current else 0
                    totals[segment] = (total + item.open_amount_rc, current)
            balances[on] = totals
        return balances[on]

    months: dict[tuple[date, str], Month] = {}
    month = first
    while month <= as_of:
        end, days = month_days(month, as_of)
        for segment in segments:
            ending, current = ar(end).get(segment, (Decimal(0), Decimal(0)))
            beginning = ar(month - timedelta(days=1)).get(segment, (Decimal(0), Decimal(0)))[0]
            months[(month, segment)] = Month(
                days, sales.get((month, segment), Decimal(0)), beginning, ending, current
            )
        month = add_months(month, 1)
    return months


def walk(months: dict[tuple[date, str], Month], month: date, segment: str, back: int, as_of: date):
    """(sales, days) of the month `back` months before `month`; 0 sales before the history."""
    past = add_months(month, -back)
    row = months.get((past, segment))
    return (row.sales, row.days) if row else (Decimal(0), month_days(past, as_of)[1])


def countback(months, month: date, segment: str, as_of: date) -> Decimal | None:
    remaining = months[(month, segment)].ending
    days = Decimal(0)
    for back in range(24):
        if remaining <= 0:
            return days
        sales, month_length = walk(months, month, segment, back, as_of)
        if sales <= 0 or remaining >= sales:
            days += month_length
            remaining -= max(sales, Decimal(0))
        else:
            return days + remaining / sales * month_length
    return days if remaining <= 0 else None


def hundredths(value: Decimal | None) -> Decimal | None:
    """Rounded half away from zero to 0.01, as the finance marts publish day figures and CEI."""
    return None if value is None else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dso_rows(months, as_of: date) -> dict[tuple[date, str, int], dict]:
    """(month, segment, period_months) -> the figures of fct_dso_periods, rounded as published
    (ADD = the rounded DSO − the rounded best possible DSO)."""
    rows = {}
    for (month, segment), row in months.items():
        for n in (1, 3):
            sales = sum((walk(months, month, segment, b, as_of)[0] for b in range(n)), Decimal(0))
            days = sum(walk(months, month, segment, b, as_of)[1] for b in range(n))
            start = months.get((add_months(month, 1 - n), segment))
            beginning = start.beginning if start else Decimal(0)
            defined = sales > 0
            numerator = n * beginning + sales - n * row.ending
            denominator = n * beginning + sales - n * row.current
            standard = hundredths(row.ending / sales * days) if defined else None
            best = hundredths(row.current / sales * days) if defined else None
            rows[(month, segment, n)] = {
                "credit_sales_rc": sales,
                "beginning_ar_rc": beginning,
                "ending_ar_rc": row.ending,
                "current_ar_rc": row.current,
                "standard_dso_days": standard,
                "countback_dso_days": hundredths(countback(months, month, segment, as_of)),
                "best_possible_dso_days": best,
                "add_days": standard - best if defined else None,
                "cei_pct": hundredths(numerator / denominator * 100) if denominator else None,
                "days_in_period": days,
            }
    return rows
