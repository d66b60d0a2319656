"""The sample generator labels promises and stuck cases by the marts' rules (so that the label
comparisons of test_operations_marts.py hold): a replaced promise's window ends the day before
the newer promise, and a reopened case has no stage (hence no stage SLA) until a stage_changed
event sets one. Hand-built cases, as the dbt unit tests of fct_promises and int_ops_case_stays."""

from __future__ import annotations

from datetime import date, datetime

from amicable.config import StuckCases
from sample_data.records import Case, Event
from sample_data.simulate import promise_outcome, window_end
from sample_data.stuck import case_state, stuck_labels

AS_OF = date(2026, 3, 31)


def test_a_payment_in_both_windows_counts_toward_the_newer_promise_only() -> None:
    # P1 1000.00 made 03-01 due 03-10 (own window to 03-13), replaced by P2 1000.00 made 03-08
    # due 03-20; 1000.00 paid 03-11 falls in both own windows: P1's ends 03-07 -> broken,
    # P2 kept. Without the rule both would be kept.
    payments = [(date(2026, 3, 11), 100_000)]
    replaced_on = date(2026, 3, 8)
    assert window_end(date(2026, 3, 10), 3, replaced_on) == date(2026, 3, 7)
    assert window_end(date(2026, 3, 10), 3, date(2026, 3, 14)) == date(2026, 3, 13)  # too late
    p1 = promise_outcome(
        100_000, date(2026, 3, 1), date(2026, 3, 10), payments, AS_OF, replaced_on=replaced_on
    )
    p2 = promise_outcome(100_000, replaced_on, date(2026, 3, 20), payments, AS_OF)
    assert (p1, p2) == (("broken", 0), ("kept", 100_000))


def test_a_reopened_case_has_no_stage_until_one_is_set() -> None:
    case = Case("C1", "D1", datetime(2026, 1, 2, 7), 10_000, "EUR", "soft", "FR", "x")
    case.versions.append((case.opened, "AG1", "soft"))
    case.events.extend(
        [
            Event("E1", datetime(2026, 1, 2, 7), "stage_changed", "AG1", {"stage": "contact"}),
            Event("E2", datetime(2026, 1, 20, 9), "closed", "AG1", {"reason": "written_off"}),
            Event("E3", datetime(2026, 2, 1, 9), "reopened", "AG9", {}),
        ]
    )
    assert case_state(case) == (True, "reopened", datetime(2026, 2, 1, 9), datetime(2026, 2, 1, 9))
    limits = StuckCases(
        stage_sla_days={"contact": 21},
        no_contact_days={"default": 100},
        broken_promise_follow_up_days=3,
    )
    # 58 days in `reopened` > 21, but that state has no SLA (the marts agree: no stage_sla row)
    assert stuck_labels(case, "soft", [], AS_OF, limits) == []
    case.events.append(
        Event("E4", datetime(2026, 2, 2, 9), "stage_changed", "AG1", {"stage": "contact"})
    )
    assert [lb["rule"] for lb in stuck_labels(case, "soft", [], AS_OF, limits)] == ["stage_sla"]
