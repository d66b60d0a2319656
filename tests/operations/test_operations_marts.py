"""Operations marts on the tiny sample (seed 7, as of 2026-11-20), built once by `sample_build`.

The generator labels every promise's outcome and every stuck case from its own knowledge of
each case, with the thresholds of config/amicable.yml; the marts must find exactly the same.
"""

from __future__ import annotations

from datetime import date

from tests.conftest import SampleBuild

PROMISE_OUTCOMES = {"kept", "partially_kept", "broken", "pending"}
STUCK_RULES = {"stage_sla", "no_contact", "broken_promise_no_follow_up"}


def test_promise_outcomes_equal_the_generator_labels(sample_build: SampleBuild) -> None:
    labels = sample_build.labels("promises")
    expected = {p["promise_id"]: p["expected_outcome"] for p in labels}
    rows = sample_build.query("select promise_id, outcome from marts.fct_promises")
    assert dict(rows) == expected
    assert set(expected.values()) == PROMISE_OUTCOMES  # every outcome is compared
    # a promise replaced by a newer one on its case (its window ends the day before): the
    # comparisons above and below check the replacement rule too
    assert sample_build.query("select count(*) from marts.fct_promises where is_replaced") != [(0,)]


def test_paid_amounts_equal_the_generator_labels(sample_build: SampleBuild) -> None:
    labels = sample_build.labels("promises")
    expected = {p["promise_id"]: p["paid_amount"] for p in labels}
    rows = sample_build.query(
        "select promise_id, cast(paid_amount as varchar) from marts.fct_promises"
    )
    assert dict(rows) == expected


def test_stuck_cases_equal_the_generator_labels(sample_build: SampleBuild) -> None:
    labels = sample_build.labels("stuck_cases")
    expected = {
        (s["case_id"], s["rule"], s["agent_id"], date.fromisoformat(s["stuck_since"]))
        for s in labels
    }
    rows = sample_build.query(
        "select case_id, rule, agent_id, stuck_since from marts.fct_stuck_cases"
    )
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    assert {s["rule"] for s in labels} == STUCK_RULES  # every rule is compared


def test_stuck_cases_are_open(sample_build: SampleBuild) -> None:
    rows = sample_build.query(
        "select count(*) from marts.fct_stuck_cases as s "
        "inner join intermediate.int_ops_case_status as c on s.case_id = c.case_id "
        "where not c.is_open"
    )
    assert rows == [(0,)]


def test_kept_rate_for_all_equals_kept_over_decided(sample_build: SampleBuild) -> None:
    decided = [p for p in sample_build.labels("promises") if p["expected_outcome"] != "pending"]
    kept = sum(1 for p in decided if p["expected_outcome"] == "kept")
    rows = sample_build.query(
        "select sum(promises_kept), sum(promises_decided) from marts.fct_promise_kept_rates "
        "where dimension = 'all'"
    )
    assert rows == [(kept, len(decided))]


def test_every_stay_transition_and_closed_case_is_accounted_for(
    sample_build: SampleBuild,
) -> None:
    moves = sample_build.query("select sum(transition_count) from marts.fct_stage_transitions")
    stays = sample_build.query(
        "select count(*) from intermediate.int_ops_case_stays where left_at is not null"
    )
    assert moves == stays
    closed_in_outcomes = sample_build.query(
        "select sum(cases_closed), sum(cases_opened) from marts.fct_case_outcomes "
        "where strategy = 'all'"
    )
    cases = sample_build.query(
        "select count(*) filter (where not is_open), count(*) from intermediate.int_ops_case_status"
    )
    assert closed_in_outcomes == cases


def test_agent_caseload_on_the_last_day_equals_the_open_cases(sample_build: SampleBuild) -> None:
    caseload = sample_build.query(
        "select agent_id, open_caseload from marts.fct_agent_daily "
        "where activity_date = date '2026-11-20' and open_caseload > 0 order by agent_id"
    )
    open_cases = sample_build.query(
        "select owner_agent_id, count(*) from intermediate.int_ops_case_status "
        "where is_open group by owner_agent_id order by owner_agent_id"
    )
    assert caseload == open_cases
    rpc = sample_build.query(
        "select sum(right_party_contacts), sum(call_attempts) from marts.fct_agent_daily"
    )
    calls = sample_build.query(
        "select count(*) filter (where direction = 'outbound' and outcome in "
        "('right_party_contact', 'promise_to_pay', 'refusal', 'dispute')), "
        "count(*) filter (where direction = 'outbound') from staging.stg_contacts__calls"
    )
    assert rpc == calls


def test_litigation_referrals_follow_their_events(sample_build: SampleBuild) -> None:
    rows = sample_build.query(
        "select r.case_id, r.days_to_referral, r.referred_amount, c.opened_at, e.event_amount, "
        "e.occurred_at from marts.fct_litigation_referrals as r "
        "inner join staging.stg_cases__case_events as e on r.referral_id = e.event_id "
        "inner join staging.stg_cases__cases as c on r.case_id = c.case_id"
    )
    assert rows
    for _case, days, amount, opened_at, event_amount, occurred_at in rows:
        assert amount == event_amount
        assert days == (occurred_at.date() - opened_at.date()).days
