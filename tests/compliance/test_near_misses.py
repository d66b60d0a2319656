"""The near misses the generator plants (`_labels/near_misses.jsonl`) reach the warehouse, sit
exactly on the edge of the rule they graze, and are not flagged under it (tiny sample)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import SampleBuild

GRAZED = {"US-7IN7", "US-HOURS", "ANY-QUIET-HOURS", "US-DISPUTE"}
HOURS_END = {"US-HOURS": "21:00:00", "ANY-QUIET-HOURS": "20:00:00"}


def _near_misses(sample_build: SampleBuild, rule_id: str | None = None) -> list[dict]:
    labels = sample_build.labels("near_misses")
    return [n for n in labels if rule_id is None or n["rule_id"] == rule_id]


def _record(sample_build: SampleBuild, case_id: str, source_id: str) -> tuple:
    rows = sample_build.query(
        "select occurred_at, local_at, activity, direction, verdict, breached_rule_ids "
        "from marts.fct_case_file where case_id = ? and source_id = ?",
        [case_id, source_id],
    )
    assert len(rows) == 1, f"{source_id} of {case_id} is not in the case file"
    return rows[0]


def test_the_sample_plants_a_near_miss_of_each_kind(sample_build: SampleBuild) -> None:
    assert {n["rule_id"] for n in _near_misses(sample_build)} == GRAZED


def test_no_near_miss_is_flagged_under_the_rule_it_grazes(sample_build: SampleBuild) -> None:
    for near in _near_misses(sample_build):
        grazing = near["evidence_ids"][-1]
        *_, direction, verdict, breached = _record(sample_build, near["case_id"], grazing)
        assert direction == "outbound" and verdict is not None, near
        assert near["rule_id"] not in (breached or ""), near
        flagged = sample_build.query(
            "select breach_id from marts.fct_compliance_breaches where rule_id = ? "
            "and case_id = ? and position(? in evidence_ids) > 0",
            [near["rule_id"], near["case_id"], grazing],
        )
        assert flagged == [], near


def test_hours_near_misses_fall_exactly_on_the_end_of_the_allowed_hours(
    sample_build: SampleBuild,
) -> None:
    for rule_id, end in HOURS_END.items():
        for near in _near_misses(sample_build, rule_id):
            at, local_at, *_ = _record(sample_build, near["case_id"], near["evidence_ids"][-1])
            assert local_at.strftime("%H:%M:%S") == end, near
            if rule_id == "US-HOURS":  # 21:00 in any US time zone is the next day in UTC
                assert at.date() == local_at.date() + timedelta(days=1), near


def test_the_seventh_call_is_the_only_seventh_in_its_seven_local_days(
    sample_build: SampleBuild,
) -> None:
    (near,) = _near_misses(sample_build, "US-7IN7")
    _, seventh_local, *_ = _record(sample_build, near["case_id"], near["evidence_ids"][-1])
    window = sample_build.query(
        "select source_id from marts.fct_case_file where case_id = ? and record_kind = 'call' "
        "and direction = 'outbound' and cast(local_at as date) between ? and ? "
        "order by occurred_at",
        [near["case_id"], seventh_local.date() - timedelta(days=6), seventh_local.date()],
    )
    assert [source_id for (source_id,) in window] == near["evidence_ids"]


def test_the_dispute_day_call_follows_the_resolution_on_the_same_local_day(
    sample_build: SampleBuild,
) -> None:
    (near,) = _near_misses(sample_build, "US-DISPUTE")
    resolved_id, call_id = near["evidence_ids"]
    resolved_at, resolved_local, activity, *_ = _record(sample_build, near["case_id"], resolved_id)
    call_at, call_local, *_ = _record(sample_build, near["case_id"], call_id)
    assert activity == "dispute_resolved"
    assert resolved_at < call_at and resolved_local.date() == call_local.date()
