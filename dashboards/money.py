"""Display currency: the marts' reporting-currency figures shown in another currency.

The marts are built in one reporting currency (configuration `reporting_currency`), each
document converted at the rate of its own date (DESIGN.md §4). Showing them in another currency
is a *convenience translation*: every reporting-currency amount (columns and fields named
`*_rc`) times one rate, the latest on or before as_of (`marts.dim_currencies`), rounded to the
cent (a waterfall's closing is the sum of its converted steps, so the bridge still adds up).
Ratios (DSO days, CEI, kept and recovery rates) do not change. A figure converted
document by document in that currency would differ: to get one, build with that reporting
currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pandas as pd

CENT = Decimal("0.01")
REPORTING_COLUMN = "reporting_currency"  # a result's label of the currency its `*_rc` are in


@dataclass(frozen=True)
class DisplayCurrency:
    """Show reporting-currency amounts in `code`: amount × `units_per_reporting_unit`."""

    code: str
    reporting: str
    units_per_reporting_unit: Decimal
    rate_date: dt.date | None
    as_of: dt.date

    @property
    def is_reporting(self) -> bool:
        return self.code == self.reporting

    def amount(self, value: Decimal | float | None) -> Decimal | float | None:
        """One reporting-currency amount in this currency, rounded to the cent."""
        if value is None or self.is_reporting:
            return value
        if isinstance(value, Decimal):
            return (value * self.units_per_reporting_unit).quantize(CENT, ROUND_HALF_EVEN)
        if pd.isna(value):
            return value
        return round(float(value) * float(self.units_per_reporting_unit), 2)

    def file_name(self, name: str) -> str:
        """An export's file name saying the currency when converted: `a.csv` → `a_in_USD.csv`."""
        if self.is_reporting:
            return name
        stem, dot, suffix = name.rpartition(".")
        return f"{stem}_in_{self.code}.{suffix}" if dot else f"{name}_in_{self.code}"

    def note(self) -> str:
        if self.is_reporting:
            return f"Amounts in {self.reporting}, the reporting currency."
        rate = f"{self.units_per_reporting_unit:.6f}".rstrip("0").rstrip(".")
        return (
            f"Amounts in {self.code}: the {self.reporting} figures × {rate} "
            f"(1 {self.reporting} = {rate} {self.code}, rate of {self.rate_date}, the latest on "
            f"or before {self.as_of}). A convenience translation at one rate: ratios do not "
            "change."
        )


def is_amount_column(name: object) -> bool:
    return str(name).endswith("_rc")


def translate_frame(frame: pd.DataFrame, currency: DisplayCurrency) -> pd.DataFrame:
    """`frame` with its `*_rc` columns in `currency` and its `reporting_currency` label set."""
    if currency.is_reporting:
        return frame
    amounts = [c for c in frame.columns if is_amount_column(c)]
    if not amounts and REPORTING_COLUMN not in frame.columns:
        return frame
    frame = frame.copy()
    for column in amounts:
        frame[column] = frame[column].map(currency.amount)
    if REPORTING_COLUMN in frame.columns:
        frame[REPORTING_COLUMN] = currency.code
    return frame


def translate(result: Any, currency: DisplayCurrency | None) -> Any:
    """A query result in the display currency: a frame (`translate_frame`), or a record that
    knows its amounts (`in_currency(currency)`); anything else unchanged."""
    if currency is None or currency.is_reporting:
        return result
    if isinstance(result, pd.DataFrame):
        return translate_frame(result, currency)
    in_currency = getattr(result, "in_currency", None)
    return in_currency(currency) if callable(in_currency) else result
