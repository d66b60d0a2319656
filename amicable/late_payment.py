"""Late-payment rule packs and reference rates (issue 18; marts.fct_late_payment_interest).

`config/late_payment/` holds one YAML pack per creditor jurisdiction (FR, UK, and a default,
the EU directive) and `reference_rates.csv`, the dated central-bank rates the packs refer to:
a user adds a row when a rate changes. The pack of the creditor's jurisdiction
(`late_payment.creditor_jurisdiction` in config/amicable.yml) and its rate's history reach dbt
as the var `late_payment`. Errors name the file, the row or key and the field, in one line.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from amicable.yaml_files import first_problem, parsed_once, read_yaml

RATES_FILE = "reference_rates.csv"
RATE_COLUMNS = ("rate", "effective_from", "rate_pct", "publisher")


class LatePaymentError(Exception):
    """A late-payment pack or the reference-rate table is missing or invalid (one line)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(_Strict):
    """Fixed compensation `amount` for an invoice amount below `below` (none: any amount)."""

    below: Annotated[Decimal, Field(gt=0)] | None = None
    amount: Annotated[Decimal, Field(ge=0)]


class Compensation(_Strict):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Compensation:
        *bounded, last = self.tiers
        if last.below is not None or any(tier.below is None for tier in bounded):
            raise ValueError("tiers: only the last tier, and it must, has no `below`")
        limits = [tier.below for tier in bounded]
        if limits != sorted(set(limits)):
            raise ValueError("tiers: `below` must increase from one tier to the next")
        return self


class Pack(_Strict):
    jurisdictions: list[Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]] = Field(min_length=1)
    default: bool = False
    legal_reference: str = Field(min_length=1)
    reference_rate: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    margin_points: Annotated[Decimal, Field(ge=0, le=50)]
    fixing_offset_days: int = Field(ge=-31, le=31)
    compensation: Compensation


@parsed_once
def _pack(path: Path) -> Pack:
    raw = read_yaml(path, "late-payment pack", LatePaymentError)
    try:
        return Pack.model_validate(raw or {})
    except ValidationError as exc:
        loc, message = first_problem(exc)
        key = ".".join(str(part) for part in loc) or "(top level)"
        raise LatePaymentError(f"late-payment pack {path}: {key}: {message}") from None


def choose_pack(directory: Path, creditor_jurisdiction: str) -> tuple[str, Pack]:
    """(name, pack) of `creditor_jurisdiction`, else of the pack marked `default: true`."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise LatePaymentError(f"late-payment packs {directory}: no *.yml pack found")
    packs = {path.stem: _pack(path) for path in files}
    owner: dict[str, str] = {}
    for name, pack in packs.items():
        for code in pack.jurisdictions:
            if code in owner:
                raise LatePaymentError(
                    f"late-payment pack {directory / name}.yml: jurisdictions: {code} is "
                    f"already in {owner[code]}.yml"
                )
            owner[code] = name
    defaults = [name for name, pack in packs.items() if pack.default]
    if len(defaults) != 1:
        raise LatePaymentError(
            f"late-payment packs {directory}: exactly one pack needs `default: true` "
            f"(found {len(defaults)})"
        )
    name = owner.get(creditor_jurisdiction, defaults[0])
    return name, packs[name]


def read_rates(path: Path) -> dict[str, list[tuple[date, Decimal]]]:
    """The reference-rate table: per rate name, its (effective_from, rate_pct) in date order."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != RATE_COLUMNS:
                raise LatePaymentError(
                    f"reference rates {path}: header must be {','.join(RATE_COLUMNS)}"
                )
            rows = list(enumerate(reader, start=2))
    except OSError as exc:
        raise LatePaymentError(f"reference rates {path}: cannot read it ({exc.strerror})") from None
    rates: dict[str, dict[date, Decimal]] = {}
    for line, row in rows:
        where = f"reference rates {path}: row {line}"
        try:
            effective = date.fromisoformat(row["effective_from"] or "")
        except ValueError:
            raise LatePaymentError(
                f"{where}: effective_from: {row['effective_from']!r} is not an ISO date"
            ) from None
        try:
            pct = Decimal(row["rate_pct"] or "")
        except InvalidOperation:
            raise LatePaymentError(
                f"{where}: rate_pct: {row['rate_pct']!r} is not a number"
            ) from None
        if not -10 <= pct <= 100:
            raise LatePaymentError(f"{where}: rate_pct: {pct} is not a percentage in -10..100")
        name = (row["rate"] or "").strip()
        if not name:
            raise LatePaymentError(f"{where}: rate: empty")
        if effective in rates.setdefault(name, {}):
            raise LatePaymentError(f"{where}: {name} already has a rate from {effective}")
        rates[name][effective] = pct
    return {name: sorted(changes.items()) for name, changes in rates.items()}


def late_payment_var(directory: Path, creditor_jurisdiction: str) -> dict:
    """The dbt var `late_payment`: the creditor's pack and the history of its reference rate."""
    name, pack = choose_pack(directory, creditor_jurisdiction)
    rates = read_rates(directory / RATES_FILE)
    history = rates.get(pack.reference_rate)
    if not history:
        raise LatePaymentError(
            f"late-payment pack {directory / name}.yml: reference_rate: no row of "
            f"{pack.reference_rate} in {directory / RATES_FILE}"
        )
    return {
        "pack": name,
        "creditor_jurisdiction": creditor_jurisdiction,
        "legal_reference": pack.legal_reference,
        "reference_rate": pack.reference_rate,
        "margin_points": str(pack.margin_points),
        "fixing_offset_days": pack.fixing_offset_days,
        "compensation_currency": pack.compensation.currency,
        "compensation_tiers": [
            [None if tier.below is None else str(tier.below), str(tier.amount)]
            for tier in pack.compensation.tiers
        ],
        "rates": [[day.isoformat(), str(pct)] for day, pct in history],
    }
