"""Daily exchange rates to the reporting currency (EUR) for every other currency in use."""

from __future__ import annotations

import csv
import math
from datetime import datetime, time
from pathlib import Path
from random import Random

from sample_data.days import DAY, Clock, is_bank_day, stamp
from sample_data.defects import Planter

START_RATES = {"USD": 0.92, "GBP": 1.17}  # EUR per unit
DAILY_VOLATILITY = 0.004


def write_fx(
    out: Path, clock: Clock, seed: int, planter: Planter, daily: bool = False
) -> dict[str, int]:
    """One row per calendar day and currency from the start of the history to as_of; rates
    move on bank days and hold over weekends and holidays. One file at as_of, or with `daily`
    one per day, published at 02:00 of the day it rates (as the file at as_of holds as_of)."""
    rng = Random(seed * 15_485_863 + 1)
    (out / "fx").mkdir(parents=True, exist_ok=True)
    rates = dict(START_RATES)
    bad_day = planter.fx_defect_day()
    counts: dict[str, int] = {}
    fh = writer = None
    rel, line = "", 1
    day = clock.start
    try:
        while day <= clock.as_of:
            if fh is None or daily:
                if fh is not None:
                    fh.close()
                    counts[rel] = line - 1
                moment = datetime.combine(day, time(2)) if daily else clock.e2
                rel, line = f"fx/fx_rates_{stamp(moment)}.csv", 1
                fh = (out / rel).open("w", encoding="utf-8", newline="")
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["rate_date", "currency", "rate_to_reporting"])
            for currency in rates:
                if is_bank_day(day) and day > clock.start:
                    rates[currency] *= math.exp(rng.gauss(0.0, DAILY_VOLATILITY))
                writer.writerow([day.isoformat(), currency, f"{rates[currency]:.6f}"])
                line += 1
                if day == bad_day and currency == "USD":  # a feed glitch, repeated properly above
                    writer.writerow([day.isoformat(), currency, "n/a"])
                    line += 1
                    planter.fx_planted(rel, line, "n/a")
            day += DAY
    finally:
        if fh is not None:
            fh.close()
    counts[rel] = line - 1
    return counts
