"""Planted compliance slips (DESIGN.md §5): contacts or events that break one rule on purpose,
labelled with the rule and the ids of their evidence in `_labels/breaches.jsonl`.

Everything else is compliant by construction (see `casesim`). Each rule is tried in every case
that can host it until it has happened once, then in about 3 % of those cases. A slip is
labelled only when its offending record is actually written (the history may end first).
The slips are unambiguous: out-of-hours contacts are an hour or more outside the allowed hours.

ANY-RETENTION cannot happen within the history (its cases close less than 18 months before
as_of): one former debtor, after the others, hosts it (`simulate.simulate_former_debtor`): its
only case was written off more than the retention period (the pack's `years`) before as_of,
the relationship ended there, and the ERP still holds the debtor's name and contact details.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from random import Random
from typing import TYPE_CHECKING, TypeVar

from sample_data.days import DAY, is_contact_day, local_to_utc
from sample_data.records import Call
from sample_data.world import Debtor

if TYPE_CHECKING:
    from sample_data.casesim import CaseSim

Moment = TypeVar("Moment", date, datetime)
SLIP_RATE = 0.03
WEEK = timedelta(days=7)
ANY = None
# rule id -> (jurisdictions, segment, scenarios able to host it)
RULES: dict[str, tuple[frozenset[str] | None, str | None, frozenset[str] | None]] = {
    "US-CEASE": (frozenset({"US"}), "B2C", frozenset({"cease"})),
    "US-ATTORNEY": (frozenset({"US"}), "B2C", frozenset({"attorney"})),
    "US-DISPUTE": (frozenset({"US"}), "B2C", frozenset({"dispute_upheld", "dispute_rejected"})),
    "ANY-LITIGATION-NOTICE": (ANY, ANY, frozenset({"litigation"})),
    "US-VALIDATION": (frozenset({"US"}), "B2C", ANY),
    "US-HOURS": (frozenset({"US"}), "B2C", ANY),
    "US-7IN7": (frozenset({"US"}), "B2C", ANY),
    "US-AFTER-CONV": (frozenset({"US"}), "B2C", ANY),
    "FR-FIRST-LETTER": (frozenset({"FR"}), ANY, ANY),
    "FR-NO-FEES": (frozenset({"FR"}), "B2C", ANY),
    "ANY-QUIET-HOURS": (frozenset({"FR", "DE", "UK"}), ANY, ANY),
    "ANY-RETENTION": (ANY, ANY, frozenset({"former"})),  # the former debtor's case only
}
RETENTION = "ANY-RETENTION"
# (scenario, segment, country) of the former debtor: a consumer (personal data) paying in EUR,
# the reporting currency, so that its case needs no exchange rate from before the history.
FORMER_DEBTOR = ("former", "B2C", "DE")
FORMER_CASE_DAYS = 300  # the former case opens this long before the retention period
ODD_HOURS = {  # local seconds after midnight of an out-of-hours call
    "US-HOURS": (7 * 3600 + 300, 7 * 3600 + 3000),  # 07:05-07:50, before 08:00
    "ANY-QUIET-HOURS": (20 * 3600 + 900, 20 * 3600 + 3300),  # 20:15-20:55, after 20:00
}


class Slips:
    """Which rule, if any, a new case breaks (or, given `near_misses.NEAR_RULES`, grazes);
    remembers the rules already planted. With its own `rng`, picking leaves the case's random
    draws alone."""

    def __init__(self, rules: dict = RULES, rng: Random | None = None) -> None:
        self.rules, self.rng = rules, rng
        self.planted: set[str] = set()

    def pick(self, debtor: Debtor, scenario: str, rng: Random) -> str | None:
        rng = self.rng or rng
        eligible = [
            rule
            for rule, (places, segment, scenarios) in self.rules.items()
            if (places is None or debtor.jurisdiction in places)
            and (segment is None or debtor.segment == segment)
            and (scenario in scenarios if scenarios else scenario != "quick_pay")
        ]
        fresh = [rule for rule in eligible if rule not in self.planted]
        if fresh:
            return fresh[0]
        if eligible and rng.random() < SLIP_RATE:
            return rng.choice(eligible)
        return None


def burst(s: CaseSim, calls: int) -> list[Call]:
    """`calls` (at most 8) unanswered outbound calls over three consecutive contact days, away
    from any conversation and from other calls (none in the 7 days before the burst, the next
    one a week after its second day), so that they are the only calls of the 7-day windows
    they fall in: with 8, exactly the eighth breaks US-7IN7 (DESIGN.md §5: the breach occurs
    at the call over the limit; evidence: the eight calls of its window); with 7, the seventh
    is a near miss. Empty (nothing written) when the days do not fit."""
    start = max(s.next_call, s.t.date() + DAY, s.day + WEEK)
    if s.conversation is not None and start < s.conversation[1] + timedelta(days=9):
        return []
    days: list[date] = []
    day = start
    while len(days) < 3:
        if is_contact_day(s.d.country, day):
            days.append(day)
        day += DAY
    left = s.agent.active_to is not None and days[-1] > s.agent.active_to
    if left or (days[-1] - days[0]).days > 5:
        return []
    plan = [(d, h) for d, hours in zip(days, ((9, 12, 16), (9, 12, 16), (10, 15)), strict=True)
            for h in hours][:calls]  # fmt: skip
    moments = [local_to_utc(d, h * 3600 + s.rng.randint(0, 1800), s.d.timezone) for d, h in plan]
    s.check(moments[-1])
    made = [Call(s.ids("CL"), at, s.agent.agent_id, "outbound", 0, "no_answer") for at in moments]
    s.c.calls.extend(made)
    s.t, s.day, s.next_call = moments[-1], plan[-1][0], max(plan[-1][0] + DAY, days[1] + WEEK)
    return made


def first_contact_slip(s: CaseSim) -> bool:
    """US-VALIDATION (a reminder, and the first notice only 8-12 days later) or
    FR-FIRST-LETTER (a call before the first notice). False if the case has no room for it."""
    if s.slip not in ("US-VALIDATION", "FR-FIRST-LETTER") or s.t + timedelta(days=30) >= s.end:
        return False
    if s.slip == "US-VALIDATION":
        s.reminder()
        first = s.c.messages[-1]
        s.wait(8, 12)
        evidence, at = first.contact_id, first.at
    else:
        s.call("no_answer")
        evidence, at = s.c.calls[-1].contact_id, s.c.calls[-1].at
    s.message("letter", "first_notice")
    s.breach(s.slip, [evidence], at)
    return True


def contact_despite(s: CaseSim, event_id: str) -> None:
    """US-CEASE / US-ATTORNEY: one more call after the cease request or the attorney."""
    rule = s.slip
    s.silent = False
    s.wait(5, 10)
    s.call("no_answer")
    s.silent = True
    s.breach(rule or "", [event_id, s.c.calls[-1].contact_id], s.c.calls[-1].at)


def reminder_during_dispute(s: CaseSim, event_id: str) -> None:
    """US-DISPUTE: a reminder while the dispute is under review."""
    s.wait(3, 8)
    s.reminder()
    s.breach("US-DISPUTE", [event_id, s.c.messages[-1].contact_id], s.c.messages[-1].at)


def retention_years(packs: dict) -> int | None:
    """The retention period of ANY-RETENTION in `packs` (the dbt var `rule_packs`), if any."""
    years = [rule["params"]["years"] for rule in packs["rules"] if rule["id"] == RETENTION]
    return years[0] if years else None


def years_after(at: Moment, years: int) -> Moment:
    """`at` moved `years` calendar years on (back, if negative), as the warehouse adds years
    (29 February -> 28 February)."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


def retention_slip(s: CaseSim, years: int) -> None:
    """ANY-RETENTION: the closed former case whose debtor is still in the ERP; evidence: the
    closing event, at the end of the retention period, which must fall before as_of."""
    closing = [e for e in s.c.events if e.etype == "closed"]
    if s.slip != RETENTION or s.c.closed is None or not closing:
        raise RuntimeError(f"{s.c.case_id}: the former case did not close")
    end = years_after(s.c.closed, years)
    if end.date() >= s.clock.as_of:
        raise RuntimeError(f"{s.c.case_id}: closed too late to outlast {years} years")
    s.breach(RETENTION, [closing[-1].event_id], end)
