"""The supervisor pages' queries against the marts of the built sample (direct SQL as the
reference)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from dashboards import queries
from tests.conftest import SampleBuild


def _rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(_plain(value) for value in row) for row in frame.itertuples(index=False)]


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return None if pd.isna(value) else value


def _months(sample_build: SampleBuild) -> list[str]:
    months = queries.flow_months(sample_build.settings.warehouse)
    assert len(months) >= 3
    return months


def test_unfiltered_flow_is_the_transitions_mart_without_reopenings(
    sample_build: SampleBuild,
) -> None:
    months = _months(sample_build)
    flow = queries.stage_flow(sample_build.settings.warehouse, months[0], months[-1], "all", "all")
    mart = sample_build.query(
        "select from_stage, to_stage, transition_count, case_count, median_duration_days,"
        " p90_duration_days, mean_duration_days from marts.fct_stage_transitions"
        " where from_stage <> 'closed' order by from_stage, to_stage"
    )

    assert mart
    got = sorted(_rows(flow))
    assert [row[:4] for row in got] == [row[:4] for row in mart]
    for ours, theirs in zip(got, mart, strict=True):
        assert ours[4:] == pytest.approx([float(value) for value in theirs[4:]], abs=1e-4)


def test_flow_keeps_the_moves_of_the_chosen_months_segment_and_strategy(
    sample_build: SampleBuild,
) -> None:
    months = _months(sample_build)
    first, last = months[len(months) // 4], months[3 * len(months) // 4]
    strategy = sample_build.query(
        "select strategy from marts.fct_case_stage_durations where segment = 'B2C'"
        " group by strategy order by count(*) desc limit 1"
    )[0][0]

    flow = queries.stage_flow(sample_build.settings.warehouse, first, last, "B2C", strategy)
    everything = queries.stage_flow(
        sample_build.settings.warehouse, months[0], months[-1], "all", "all"
    )
    expected = sample_build.query(
        "select stage, next_stage, count(*), count(distinct case_id)"
        " from marts.fct_case_stage_durations where left_at is not null"
        " and strftime(left_at, '%Y-%m') between ? and ? and segment = 'B2C' and strategy = ?"
        " group by stage, next_stage order by stage, next_stage",
        [first, last, strategy],
    )

    assert expected
    assert sorted(row[:4] for row in _rows(flow)) == expected
    assert flow["transition_count"].sum() < everything["transition_count"].sum()


def test_the_moves_of_a_transition_are_its_count_and_its_median(sample_build: SampleBuild) -> None:
    warehouse = sample_build.settings.warehouse
    months = _months(sample_build)
    flow = queries.stage_flow(warehouse, months[0], months[-1], "all", "all")
    busiest = flow.sort_values("transition_count", ascending=False).iloc[0]

    moves = queries.stage_moves(
        warehouse, busiest["from_stage"], busiest["to_stage"], months[0], months[-1], "all", "all"
    )

    assert len(moves) == busiest["transition_count"] > 1
    assert moves["case_id"].nunique() == busiest["case_count"]
    assert moves["duration_days"].astype(float).median() == pytest.approx(
        float(busiest["median_duration_days"]), abs=1e-3
    )
    assert list(moves["duration_days"]) == sorted(moves["duration_days"], reverse=True)


def test_time_in_stage_counts_every_ended_and_running_stay(sample_build: SampleBuild) -> None:
    warehouse = sample_build.settings.warehouse
    months = _months(sample_build)
    stage_time = queries.stage_time(warehouse, months[0], months[-1], "all", "all")
    flow = queries.stage_flow(warehouse, months[0], months[-1], "all", "all")
    running = sample_build.query(
        "select stage, count(*) from marts.fct_case_stage_durations where is_open_stay"
        " group by stage order by stage"
    )

    ended = stage_time.set_index("stage")["stays_completed"]
    assert ended.to_dict() == flow.groupby("from_stage")["transition_count"].sum().to_dict()
    got_running = stage_time.loc[stage_time["stays_running"] > 0, ["stage", "stays_running"]]
    assert sorted(_rows(got_running)) == running


def _league_reference(sample_build: SampleBuild, first: str, last: str) -> dict[str, tuple]:
    daily = sample_build.query(
        "select agent_id, sum(call_attempts), sum(right_party_contacts), sum(promises_made),"
        " sum(collected_amount_rc) from marts.fct_agent_daily"
        " where strftime(activity_date, '%Y-%m') between ? and ? group by agent_id",
        [first, last],
    )
    return {agent: rest for agent, *rest in daily}


def test_league_sums_each_agents_days_and_kept_rates(sample_build: SampleBuild) -> None:
    months = queries.agent_months(sample_build.settings.warehouse)
    first, last = months[0], months[-1]

    league = queries.agent_league(sample_build.settings.warehouse, first, last, "all")

    reference = _league_reference(sample_build, first, last)
    assert set(league["agent_id"]) == set(reference)
    kept = dict(
        (agent, (decided, kept_count))
        for agent, decided, kept_count in sample_build.query(
            "select dimension_value, sum(promises_decided), sum(promises_kept)"
            " from marts.fct_promise_kept_rates where dimension = 'agent' group by 1"
        )
    )
    for row in league.itertuples(index=False):
        attempts, rpc, promises, collected = reference[row.agent_id]
        assert (row.call_attempts, row.right_party_contacts, row.promises_made) == (
            attempts,
            rpc,
            promises,
        )
        assert float(row.collected_amount_rc) == pytest.approx(float(collected))
        if attempts:
            assert float(row.rpc_rate) == pytest.approx(rpc / attempts, abs=1e-4)
        decided, kept_count = kept.get(row.agent_id, (0, 0))
        assert row.promises_decided == decided
        if decided:
            assert float(row.kept_rate_by_count) == pytest.approx(kept_count / decided, abs=1e-4)
    assert league["promises_decided"].sum() > 0


def test_league_of_one_team_and_month_keeps_to_them(sample_build: SampleBuild) -> None:
    warehouse = sample_build.settings.warehouse
    last = queries.agent_months(warehouse)[-1]
    team = sample_build.query(
        "select team from marts.fct_agent_daily where strftime(activity_date, '%Y-%m') = ?"
        " group by team order by sum(call_attempts) desc limit 1",
        [last],
    )[0][0]
    assert team in queries.agent_teams(warehouse)

    league = queries.agent_league(warehouse, last, last, team)

    expected = sample_build.query(
        "select agent_id, sum(call_attempts) from marts.fct_agent_daily"
        " where strftime(activity_date, '%Y-%m') = ? and team = ? group by agent_id"
        " order by agent_id",
        [last, team],
    )
    caseload = dict(
        sample_build.query(
            "select agent_id, open_caseload from marts.fct_agent_daily"
            " where activity_date = (select max(activity_date) from marts.fct_agent_daily"
            " where strftime(activity_date, '%Y-%m') = ?) and team = ?",
            [last, team],
        )
    )
    assert expected
    assert sorted(_rows(league[["agent_id", "call_attempts"]])) == expected
    assert set(league["team"]) == {team}
    for agent, load in zip(league["agent_id"], league["open_caseload"], strict=True):
        assert load == caseload.get(agent, 0)


def test_an_agents_days_and_promises_are_theirs_in_the_period(sample_build: SampleBuild) -> None:
    warehouse = sample_build.settings.warehouse
    months = queries.agent_months(warehouse)
    league = queries.agent_league(warehouse, months[0], months[-1], "all")
    agent = league.sort_values("promises_decided", ascending=False).iloc[0]

    days = queries.agent_daily(warehouse, agent["agent_id"], months[0], months[-1])
    promises = queries.agent_promises(warehouse, agent["agent_id"], months[0], months[-1])

    assert days["call_attempts"].sum() == agent["call_attempts"]
    assert (promises["outcome"] != "pending").sum() == agent["promises_decided"] > 0
    expected = sample_build.query(
        "select promise_id from marts.fct_promises where agent_id = ?"
        " and strftime(due_month, '%Y-%m') between ? and ? order by promise_id",
        [agent["agent_id"], months[0], months[-1]],
    )
    assert sorted(promises["promise_id"]) == [promise for (promise,) in expected]


def test_the_sample_lists_exactly_its_labelled_unfollowed_promises(
    sample_build: SampleBuild,
) -> None:
    """The generator labels the cases it left without a follow-up after a broken promise."""
    labelled = {
        label["case_id"]
        for label in sample_build.labels("stuck_cases")
        if label["rule"] == "broken_promise_no_follow_up"
    }
    broken = sample_build.query(
        "select count(*) from marts.fct_promises where outcome in ('broken', 'partially_kept')"
    )[0][0]

    warehouse = sample_build.settings.warehouse
    unfollowed = queries.broken_promises(warehouse, "all", "all", "all", "all")

    assert labelled and broken > len(labelled)
    assert set(unfollowed["case_id"]) == labelled


def test_broken_promises_without_contact_since_their_window_are_listed(
    sample_build: SampleBuild, unfollowed_warehouse: Path
) -> None:
    expected = sample_build.query(
        "select promise_id, agent_id, window_end_date from marts.fct_promises"
        " where outcome in ('broken', 'partially_kept') order by promise_id"
    )

    listed = queries.broken_promises(unfollowed_warehouse, "all", "all", "all", "all")

    assert sorted(listed["promise_id"]) == [promise for promise, _, _ in expected]
    as_of = sample_build.settings.as_of
    for promise, _, window_end in expected:
        row = listed.loc[listed["promise_id"] == promise].iloc[0]
        assert row["days_since_window_end"] == (as_of - window_end).days
    assert list(listed["days_since_window_end"]) == sorted(
        listed["days_since_window_end"], reverse=True
    )
    agent = expected[0][1]
    of_agent = queries.broken_promises(unfollowed_warehouse, agent, "all", "all", "all")
    assert sorted(of_agent["promise_id"]) == [p for p, a, _ in expected if a == agent]
    assert len(of_agent) < len(listed)


def test_kept_rate_sums_the_mart_over_the_months(sample_build: SampleBuild) -> None:
    warehouse = sample_build.settings.warehouse
    team, month, decided, kept, amount, kept_amount = sample_build.query(
        "select dimension_value, strftime(due_month, '%Y-%m'), promises_decided, promises_kept,"
        " promised_amount_rc, kept_promised_amount_rc from marts.fct_promise_kept_rates"
        " where dimension = 'team' and promises_decided > 0 order by due_month limit 1"
    )[0]
    every_month = sample_build.query(
        "select sum(promises_decided), sum(promises_kept) from marts.fct_promise_kept_rates"
        " where dimension = 'all'"
    )[0]

    one_month = queries.promise_kept_rate(warehouse, "team", team, month)
    overall = queries.promise_kept_rate(warehouse, "all", "all", "all")

    assert (one_month.promises_decided, one_month.promises_kept) == (decided, kept)
    assert one_month.kept_rate_by_count == pytest.approx(kept / decided, abs=1e-4)
    assert one_month.kept_rate_by_amount == pytest.approx(
        float(kept_amount) / float(amount), abs=1e-4
    )
    assert (overall.promises_decided, overall.promises_kept) == every_month
    nothing = queries.promise_kept_rate(warehouse, "agent", "nobody", "all")
    assert nothing.promises_decided == 0 and nothing.kept_rate_by_count is None


def test_months_and_choices_are_checked_before_any_sql(tmp_path: Path) -> None:
    absent = tmp_path / "absent.duckdb"
    with pytest.raises(ValueError, match="YYYY-MM"):
        queries.stage_flow(absent, "2026-1", "2026-12", "all", "all")
    with pytest.raises(ValueError, match="YYYY-MM"):
        queries.broken_promises(absent, "all", "all", "all", "2026-13")
    with pytest.raises(ValueError, match="segment"):
        queries.stage_moves(absent, "a", "b", "2026-01", "2026-02", "SME", "all")
    with pytest.raises(ValueError, match="dimension"):
        queries.promise_kept_rate(absent, "debtor", "D1", "all")


def test_a_warehouse_without_the_marts_is_not_built(empty_warehouse: Path) -> None:
    with pytest.raises(queries.WarehouseNotBuilt, match="fct_case_stage_durations"):
        queries.flow_months(empty_warehouse)
    with pytest.raises(queries.WarehouseNotBuilt, match="fct_agent_daily"):
        queries.agent_league(empty_warehouse, "2026-01", "2026-02", "all")
