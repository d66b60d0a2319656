"""The generator's clock, calendars and value formats.

All timestamps are naive datetimes in UTC inside the generator; `fmt_ts` adds the `Z`.
Contact days follow the debtor's country (weekends and public holidays are skipped, with the
days around a holiday that falls on a weekend blocked too, which over-approximates the observed
days); bank days are weekdays outside the TARGET2 closing days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
BUSINESS_HOURS = (9 * 3600, 18 * 3600 + 1800)  # local contact hours: 09:00-18:30
HISTORY_MONTHS = 18
LATE_EXTRACT_DAYS = 7  # the later extraction covers the last week


@dataclass(frozen=True)
class Clock:
    """Dates every module shares: the history runs from `start` to `horizon` (as_of - 1 day);
    the nightly extraction at 02:00 on as_of (`e2`) sees all of it, the earlier one (`e1`) a week
    less."""

    as_of: date
    start: date
    horizon: date
    e1: datetime
    e2: datetime

    @classmethod
    def of(cls, as_of: date) -> Clock:
        months = as_of.year * 12 + as_of.month - 1 - (HISTORY_MONTHS - 1)
        start = date(months // 12, months % 12 + 1, 1)
        e1 = datetime.combine(as_of - timedelta(days=LATE_EXTRACT_DAYS), time(2))
        return cls(as_of, start, as_of - DAY, e1, datetime.combine(as_of, time(2)))


def stamp(moment: datetime) -> str:
    """Extraction time as it appears in file names: 2026-11-20T0200."""
    return moment.strftime("%Y-%m-%dT%H%M")


def fmt_ts(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


def fmt_amount(cents: int) -> str:
    if cents <= 0:
        raise ValueError(f"amounts are positive, got {cents} cents")
    return f"{cents // 100}.{cents % 100:02d}"


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    wd = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * wd) // 451
    month, day = divmod(h + wd - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """n-th (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


_FIXED = {
    "FR": ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)),
    "DE": ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26)),
    "GB": ((1, 1), (12, 25), (12, 26)),
    "US": ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25)),
    "BANK": ((1, 1), (5, 1), (12, 25), (12, 26)),
}
_EASTER_OFFSETS = {"FR": (1, 39, 50), "DE": (-2, 1, 39, 50), "GB": (-2, 1), "BANK": (-2, 1)}
_NTH = {
    "GB": ((5, 0, 1), (5, 0, -1), (8, 0, -1)),
    "US": ((1, 0, 3), (2, 0, 3), (5, 0, -1), (9, 0, 1), (10, 0, 2), (11, 3, 4)),
}


@cache
def holidays(calendar: str, year: int) -> frozenset[date]:
    """Public holidays of a country (FR, DE, GB, US) or the bank calendar (BANK)."""
    e = easter(year)
    days = {date(year, m, d) for m, d in _FIXED[calendar]}
    days |= {e + timedelta(days=n) for n in _EASTER_OFFSETS.get(calendar, ())}
    days |= {_nth_weekday(year, m, wd, n) for m, wd, n in _NTH.get(calendar, ())}
    for m, d in _FIXED[calendar]:
        day = date(year, m, d)
        if day.weekday() >= 5:  # observed elsewhere: block the Friday before and Mon/Tue after
            monday = day + timedelta(days=7 - day.weekday())
            days |= {day - timedelta(days=day.weekday() - 4), monday, monday + DAY}
    return frozenset(days)


def is_contact_day(country: str, day: date) -> bool:
    return day.weekday() < 5 and day not in holidays(country, day.year)


def is_bank_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays("BANK", day.year)


def bank_on_or_after(day: date) -> date:
    while not is_bank_day(day):
        day += DAY
    return day


def bank_on_or_before(day: date) -> date:
    while not is_bank_day(day):
        day -= DAY
    return day


def add_bank_days(day: date, n: int) -> date:
    for _ in range(n):
        day = bank_on_or_after(day + DAY)
    return day


def local_to_utc(day: date, seconds: int, tz: str) -> datetime:
    """UTC moment of `seconds` after local midnight of `day` in time zone `tz` (the local wall
    time, less the zone's offset at that wall time)."""
    if _SETTLED <= seconds < 86_400:  # clock changes are over by then: the day's offset holds
        return (
            datetime(day.year, day.month, day.day) + timedelta(seconds=seconds) - _offset(day, tz)
        )
    local = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    return (local + timedelta(seconds=seconds)).astimezone(UTC).replace(tzinfo=None)


_SETTLED = 5 * 3600  # daylight-saving changes happen at 01:00-03:00 local time, never later


@cache
def _offset(day: date, tz: str) -> timedelta:
    """UTC offset of `tz` on `day` at noon, local time (the offset of every moment from 05:00)."""
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(tz)).utcoffset()
    assert offset is not None
    return offset


def at_utc(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
