"""Planted near misses (DESIGN.md §5): contacts as close to a rule as the rule allows, which
must NOT be flagged, labelled in `_labels/near_misses.jsonl` with the rule they graze and their
evidence (the last id is the record that must stay allowed).

- US-7IN7: the 7th outbound call within 7 days (seven unanswered calls over three contact days);
- US-HOURS, ANY-QUIET-HOURS: an outbound call at exactly the end of the allowed hours, debtor's
  local time (21:00:00 in the US, 20:00:00 elsewhere), daylight saving included;
- US-DISPUTE: an outbound call on the day the dispute was resolved, after the resolution.

Each is planted in the first case able to host it, then in about 3 % of those, like the
slips of `breaches.py`; a pending slip of the same rule goes first (its out-of-hours call, its
eight calls, its reminder during the dispute), the near miss comes on a later contact.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sample_data.days import BUSINESS_HOURS, DAY, local_to_utc
from sample_data.records import Call

if TYPE_CHECKING:
    from sample_data.casesim import CaseSim

# rule id -> (jurisdictions, segment, scenarios able to host it), as breaches.RULES
NEAR_RULES: dict[str, tuple[frozenset[str] | None, str | None, frozenset[str] | None]] = {
    "US-DISPUTE": (frozenset({"US"}), "B2C", frozenset({"dispute_upheld", "dispute_rejected"})),
    "US-7IN7": (frozenset({"US"}), "B2C", None),
    "US-HOURS": (frozenset({"US"}), "B2C", None),
    "ANY-QUIET-HOURS": (frozenset({"FR", "DE", "UK"}), None, None),
}
HOURS_END = {  # local seconds after midnight of a call at exactly the end of the allowed hours
    "US-HOURS": (21 * 3600, 21 * 3600),
    "ANY-QUIET-HOURS": (20 * 3600, 20 * 3600),
}


def call_on_resolution_day(s: CaseSim, resolved_id: str) -> None:
    """US-DISPUTE: an unanswered call 10-90 minutes after the dispute was resolved, the same
    local day and within business hours (nothing when the resolution came too late for it); the
    last call was days before."""
    if s.near != "US-DISPUTE" or s.slip == "US-DISPUTE":
        return
    closing = local_to_utc(s.day, BUSINESS_HOURS[1], s.d.timezone)
    room = int((closing - s.t).total_seconds() // 60)
    if room < 10:
        return
    at = s.check(s.t + timedelta(minutes=s.rng.randint(10, min(90, room))))
    call = Call(s.ids("CL"), at, s.agent.agent_id, "outbound", 0, "no_answer")
    s.c.calls.append(call)
    s.t, s.next_call = at, max(s.next_call, s.day + DAY)
    s.near_miss("US-DISPUTE", [resolved_id, call.contact_id], at)
