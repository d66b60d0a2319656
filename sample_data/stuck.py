"""Stuck-case labels (DESIGN.md §4 "Case flow"): which open cases are stuck at as_of, by rule,
computed from the simulation's own records of each case, with the thresholds of the
configuration file (`amicable.config`). Written to `_labels/stuck_cases.jsonl`.

Rules (UTC calendar days; "more than N days": as_of - reference day > N):
- stage_sla: the current stage was entered more than the stage's SLA ago (stages without an
  SLA never trip it; a reopened case is in state `reopened`, which has none, until its next
  stage_changed event, as in marts int_ops_case_stays);
- no_contact: no call or message, either direction, for more than the strategy's limit
  (`default` for unlisted strategies), counted from the later of the last contact and the
  last (re)opening;
- broken_promise_no_follow_up: a broken promise whose window (promised date + grace, or the
  day before a replacing promise: `simulate.window_end`) ended more than
  `broken_promise_follow_up_days` ago with no contact since its window end.
stuck_since = reference day + threshold + 1 day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from amicable.config import StuckCases
from sample_data.records import Case


@dataclass(frozen=True)
class PromiseResult:
    promise_id: str
    window_end: date
    outcome: str


def case_state(case: Case) -> tuple[bool, str | None, datetime | None, datetime]:
    """(is open, current stage, when it was entered, last (re)opening). A reopened case is in
    state `reopened` (not a stage) until a stage_changed event sets its stage."""
    is_open, stage, entered, opened = True, None, None, case.opened
    for e in sorted(case.events, key=lambda e: (e.at, e.event_id)):
        if e.etype == "stage_changed":
            is_open, stage, entered = True, e.payload["stage"], e.at
        elif e.etype == "closed":
            is_open = False
        elif e.etype == "reopened":
            is_open, stage, entered, opened = True, "reopened", e.at, max(opened, e.at)
    return is_open, stage, entered, opened


def owner(case: Case) -> str:
    """The agent of the latest `assigned` event, else the case record's agent."""
    assigned = [e for e in case.events if e.etype == "assigned"]
    if assigned:
        return max(assigned, key=lambda e: (e.at, e.event_id)).payload["agent_id"]
    return case.versions[-1][1]


def stuck_labels(
    case: Case,
    strategy: str,
    promises: list[PromiseResult],
    as_of: date,
    limits: StuckCases,
) -> list[dict]:
    """The stuck rules `case` breaks at `as_of` (none when it is closed). `strategy` is the one
    the case record finally carries (after any late correction)."""
    is_open, stage, entered, opened = case_state(case)
    if not is_open:
        return []
    contacts = [c.at for c in case.calls] + [m.at for m in case.messages]
    found: list[tuple[str, date, int]] = []
    sla = limits.stage_sla_days.get(stage) if stage else None
    if sla is not None and entered is not None:
        found.append(("stage_sla", entered.date(), sla))
    last = max([opened, *contacts]).date()
    limit = limits.no_contact_days.get(strategy, limits.no_contact_days.get("default", 14))
    found.append(("no_contact", last, limit))
    unfollowed = [
        p.window_end
        for p in promises
        if p.outcome == "broken" and not any(at.date() > p.window_end for at in contacts)
    ]
    if unfollowed:
        found.append(
            ("broken_promise_no_follow_up", min(unfollowed), limits.broken_promise_follow_up_days)
        )
    agent = owner(case)
    return [
        {
            "case_id": case.case_id,
            "rule": rule,
            "agent_id": agent,
            "stuck_since": (ref + timedelta(days=days + 1)).isoformat(),
            "reference_date": ref.isoformat(),
            "threshold_days": days,
            "stage": stage,
            "strategy": strategy,
        }
        for rule, ref, days in found
        if (as_of - ref).days > days
    ]
