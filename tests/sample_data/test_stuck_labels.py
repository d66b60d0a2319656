"""The generator's stuck-case labeller (sample_data.stuck) on hand-built cases."""

from __future__ import annotations

from datetime import date, datetime

from amicable.config import StuckCases
from sample_data.records import Call, Case, Event, Message
from sample_data.stuck import PromiseResult, stuck_labels

AS_OF = date(2026, 3, 31)
LIMITS = StuckCases(
    stage_sla_days={"contact": 21},
    no_contact_days={"intensive": 7, "default": 14},
    broken_promise_follow_up_days=3,
)


def _case(*events: Event) -> Case:
    case = Case("C1", "D1", datetime(2026, 2, 1, 7), 10_000, "EUR", "intensive", "FR", "x")
    case.versions.append((case.opened, "AG1", "intensive"))
    case.events.extend(events)
    return case


def test_reassigned_case_in_contact_too_long_is_stuck_under_its_new_owner() -> None:
    case = _case(
        Event("E1", datetime(2026, 3, 5, 10), "stage_changed", "AG1", {"stage": "contact"}),
        Event("E2", datetime(2026, 3, 6, 10), "assigned", "AG9", {"agent_id": "AG2"}),
    )
    case.calls.append(Call("K1", datetime(2026, 3, 30, 9), "AG2", "outbound", 0, "no_answer"))
    labels = stuck_labels(case, "intensive", [], AS_OF, LIMITS)
    assert [(lb["rule"], lb["agent_id"], lb["stuck_since"]) for lb in labels] == [
        ("stage_sla", "AG2", "2026-03-27")
    ]


def test_unlisted_strategy_uses_default_and_broken_promise_needs_follow_up() -> None:
    case = _case(
        Event("E1", datetime(2026, 3, 25, 10), "stage_changed", "AG1", {"stage": "contact"}),
    )
    case.messages.append(
        Message("M1", datetime(2026, 3, 16, 23), None, "letter", "outbound", None, "sent")
    )
    broken = [PromiseResult("P1", date(2026, 3, 27), "broken")]
    labels = stuck_labels(case, "legal", broken, AS_OF, LIMITS)
    assert [(lb["rule"], lb["stuck_since"]) for lb in labels] == [
        ("no_contact", "2026-03-31"),
        ("broken_promise_no_follow_up", "2026-03-31"),
    ]


def test_closed_case_is_never_stuck_and_reopening_restarts_the_clocks() -> None:
    closed = _case(Event("E1", datetime(2026, 2, 2), "closed", "AG1", {"reason": "written_off"}))
    assert stuck_labels(closed, "intensive", [], AS_OF, LIMITS) == []
    reopened = _case(
        Event("E1", datetime(2026, 2, 2), "stage_changed", "AG1", {"stage": "contact"}),
        Event("E2", datetime(2026, 2, 3), "closed", "AG1", {"reason": "written_off"}),
        Event("E3", datetime(2026, 3, 28), "reopened", "AG9", {}),
    )
    assert stuck_labels(reopened, "intensive", [], AS_OF, LIMITS) == []
