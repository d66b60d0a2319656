"""The agent league page on the built sample: figures equal direct SQL over the marts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import SelectRow, Table, Traces, months_in, page_app

ATTEMPTS_SQL = (
    "select agent_id, sum(call_attempts) from marts.fct_agent_daily"
    " where strftime(activity_date, '%Y-%m') between ? and ? and (? = 'all' or team = ?)"
    " group by agent_id order by agent_id"
)


@pytest.fixture
def page(sample_warehouse: Path) -> AppTest:
    return page_app("agents")


def _months(sample_build: SampleBuild) -> list[str]:
    return months_in(sample_build, "fct_agent_daily", "activity_date")


def _attempts(sample_build: SampleBuild, first: str, last: str, team: str) -> list[tuple]:
    rows = sample_build.query(ATTEMPTS_SQL, [first, last, team, team])
    assert rows
    return rows


def _shown(page: AppTest, table_of: Table) -> list[tuple]:
    league = table_of(page, "league")[["agent_id", "call_attempts"]]
    return sorted(tuple(row) for row in league.itertuples(index=False))


def test_the_league_sums_every_agents_days(
    page: AppTest, sample_build: SampleBuild, table_of: Table, chart_traces: Traces
) -> None:
    months = _months(sample_build)
    page.run()

    assert not page.exception
    assert _shown(page, table_of) == _attempts(sample_build, months[0], months[-1], "all")
    collected = dict(
        sample_build.query(
            "select agent_id, sum(collected_amount_rc) from marts.fct_agent_daily group by 1"
        )
    )
    bars = chart_traces(page, "agent_chart")[0]
    assert {agent: pytest.approx(float(collected[agent])) for agent in bars["x"]} == dict(
        zip(bars["x"], bars["y"], strict=True)
    )
    assert bars["y"] == sorted(bars["y"], reverse=True)  # highest first


def test_team_and_period_filters_change_the_figures(
    page: AppTest, sample_build: SampleBuild, table_of: Table
) -> None:
    months = _months(sample_build)
    first, last = months[len(months) // 2], months[-1]
    team = sample_build.query(
        "select team from marts.fct_agent_daily group by team order by count(*) desc limit 1"
    )[0][0]
    page.run()
    everything = _shown(page, table_of)

    page.selectbox(key="team").set_value(team).run()
    page.selectbox(key="from").set_value(first).run()

    assert not page.exception
    assert _shown(page, table_of) == _attempts(sample_build, first, last, team) != everything
    assert set(table_of(page, "league")["team"]) == {team}


def test_the_chart_shows_the_chosen_measure(
    page: AppTest, table_of: Table, chart_traces: Traces
) -> None:
    page.run()

    page.selectbox(key="measure").set_value("call_attempts").run()

    league = table_of(page, "league").set_index("agent_id")["call_attempts"]
    bars = chart_traces(page, "agent_chart")[0]
    assert bars["y"] == [league[agent] for agent in bars["x"]]


def test_an_agent_row_drills_to_their_days_promises_and_a_case_timeline(
    page: AppTest, sample_build: SampleBuild, table_of: Table, select_row: SelectRow
) -> None:
    page.run()
    league = table_of(page, "league")
    row = int(league["promises_decided"].to_numpy().argmax())
    agent = league.iloc[row]["agent_id"]

    select_row(page, "league", row)

    assert not page.exception
    assert page.selectbox(key="agent").value == agent
    assert page.query_params["agent"] == agent
    days = sample_build.query(
        "select count(*), sum(call_attempts) from marts.fct_agent_daily where agent_id = ?",
        [agent],
    )[0]
    shown_days = table_of(page, "column:inbound_conversations")
    assert (len(shown_days), shown_days["call_attempts"].sum()) == days
    promises = table_of(page, "agent_promises")
    assert set(promises["case_id"]) <= {
        case
        for (case,) in sample_build.query(
            "select case_id from marts.fct_promises where agent_id = ?", [agent]
        )
    }
    assert (promises["outcome"] != "pending").sum() == league.iloc[row]["promises_decided"] > 0

    select_row(page, "agent_promises", 0)

    case = promises.iloc[0]["case_id"]
    assert page.selectbox(key="case").value == case
    assert set(table_of(page, "column:record_id")["record_id"]) == {
        record
        for (record,) in sample_build.query(
            "select record_id from marts.fct_case_timeline where case_id = ?", [case]
        )
    }


def test_a_shared_address_opens_the_same_view(
    sample_warehouse: Path, sample_build: SampleBuild, table_of: Table
) -> None:
    months = _months(sample_build)
    first, last = months[-3], months[-1]
    agent, _ = _attempts(sample_build, first, last, "all")[0]
    page = page_app("agents")
    page.query_params.update({"from": first, "to": last, "measure": "RPC rate", "agent": agent})

    page.run()

    assert not page.exception
    assert page.selectbox(key="measure").value == "rpc_rate"
    assert page.selectbox(key="agent").value == agent
    assert _shown(page, table_of) == _attempts(sample_build, first, last, "all")
    days = table_of(page, "column:inbound_conversations")
    assert {str(day)[:7] for day in days["activity_date"]} <= set(months[-3:])


def test_an_empty_period_says_so(page: AppTest, sample_build: SampleBuild) -> None:
    months = _months(sample_build)
    page.query_params.update({"from": months[-1], "to": months[0]})

    page.run()

    assert not page.exception
    assert "The period is empty" in page.info[0].value
    assert not page.dataframe


def test_a_warehouse_without_marts_explains_what_to_do(empty_warehouse: Path) -> None:
    page = page_app("agents").run()

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_agent_daily" in page.caption[-1].value
