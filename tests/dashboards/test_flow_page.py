"""The stage-flow page on the built sample: figures equal direct SQL over the marts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import SelectRow, Table, Traces, months_in, page_app

MOVES_SQL = (
    "select stage, next_stage, count(distinct case_id), count(*)"
    " from marts.fct_case_stage_durations where left_at is not null"
    " and strftime(left_at, '%Y-%m') between ? and ? and (? = 'all' or segment = ?)"
    " and (? = 'all' or owner_team = ?)"
    " group by stage, next_stage order by stage, next_stage"
)


@pytest.fixture
def page(sample_warehouse: Path) -> AppTest:
    return page_app("flow")


def _months(sample_build: SampleBuild) -> list[str]:
    return months_in(sample_build, "fct_case_stage_durations", "left_at")


def _expected(
    sample_build: SampleBuild, first: str, last: str, segment: str, team: str = "all"
) -> list[tuple]:
    rows = sample_build.query(MOVES_SQL, [first, last, segment, segment, team, team])
    assert rows
    return rows


def _shown(page: AppTest, table_of: Table) -> list[tuple]:
    flow = table_of(page, "bottlenecks")
    columns = ["from_stage", "to_stage", "case_count", "transition_count"]
    return sorted(tuple(row) for row in flow[columns].itertuples(index=False))


def _sankey_links(page: AppTest, chart_traces: Traces) -> list[tuple[str, str, int]]:
    sankey = chart_traces(page, "stage_sankey")[0]
    labels = sankey["node"]["label"]
    link = sankey["link"]
    return sorted(
        (labels[source], labels[target], int(value))
        for source, target, value in zip(link["source"], link["target"], link["value"], strict=True)
    )


def test_the_flow_shows_every_move_as_the_transitions_mart(
    page: AppTest, sample_build: SampleBuild, table_of: Table, chart_traces: Traces
) -> None:
    page.run()

    assert not page.exception
    mart = sample_build.query(
        "select from_stage, to_stage, case_count, transition_count"
        " from marts.fct_stage_transitions where from_stage <> 'closed' order by 1, 2"
    )
    assert _shown(page, table_of) == mart
    assert _sankey_links(page, chart_traces) == [row[:3] for row in mart]
    moves = {metric.label: metric.value for metric in page.metric}["Moves"]
    assert moves == f"{sum(row[3] for row in mart):,}"


def test_segment_and_period_filters_change_the_figures(
    page: AppTest, sample_build: SampleBuild, table_of: Table, chart_traces: Traces
) -> None:
    months = _months(sample_build)
    page.run()
    everything = _shown(page, table_of)

    page.radio(key="segment").set_value("B2C").run()

    b2c = _expected(sample_build, months[0], months[-1], "B2C")
    assert _shown(page, table_of) == b2c != everything
    assert _sankey_links(page, chart_traces) == [row[:3] for row in b2c]

    first, last = months[len(months) // 3], months[2 * len(months) // 3]
    page.selectbox(key="from").set_value(first).run()
    page.selectbox(key="to").set_value(last).run()

    assert not page.exception
    assert _shown(page, table_of) == _expected(sample_build, first, last, "B2C")


def test_a_team_narrows_the_flow_to_its_cases(
    page: AppTest, sample_build: SampleBuild, table_of: Table
) -> None:
    """Team = the team of the case's current owner (fct_case_stage_durations.owner_team)."""
    months = _months(sample_build)
    team = sample_build.query(
        "select owner_team from marts.fct_case_stage_durations where owner_team is not null"
        " group by 1 order by count(*) desc limit 1"
    )[0][0]
    expected = _expected(sample_build, months[0], months[-1], "all", team)
    page.run()
    everything = _shown(page, table_of)

    page.selectbox(key="team").set_value(team).run()

    assert not page.exception
    assert _shown(page, table_of) == expected != everything
    transition = f"{expected[0][0]} to {expected[0][1]}"
    page.selectbox(key="transition").set_value(transition).run()
    assert set(table_of(page, "transition_cases")["owner_team"]) == {team}


def test_bottlenecks_sort_by_the_chosen_duration(page: AppTest, table_of: Table) -> None:
    page.query_params["sort"] = "p90"
    page.run()
    by_p90 = table_of(page, "bottlenecks")
    assert list(by_p90["p90_duration_days"]) == sorted(by_p90["p90_duration_days"], reverse=True)

    page.radio(key="sort").set_value("median_duration_days").run()

    by_median = table_of(page, "bottlenecks")
    medians = list(by_median["median_duration_days"])
    assert medians == sorted(medians, reverse=True)
    assert list(by_median["to_stage"]) != list(by_p90["to_stage"])  # the two orders differ


def test_time_in_stage_reconciles_with_the_moves_out_of_each_stage(
    page: AppTest, sample_build: SampleBuild, table_of: Table
) -> None:
    page.run()

    stage_time = table_of(page, "column:stays_completed")
    ended = sample_build.query(
        "select stage, count(*) from marts.fct_case_stage_durations where left_at is not null"
        " group by stage order by stage"
    )
    shown = stage_time.loc[stage_time["stays_completed"] > 0, ["stage", "stays_completed"]]
    assert sorted(tuple(row) for row in shown.itertuples(index=False)) == ended


def test_a_transition_row_lists_its_cases_and_a_case_row_its_timeline(
    page: AppTest, sample_build: SampleBuild, table_of: Table, select_row: SelectRow
) -> None:
    page.run()
    assert not [frame for frame in page.dataframe if frame.key == "transition_cases"]
    first = table_of(page, "bottlenecks").iloc[0]

    select_row(page, "bottlenecks", 0)

    assert not page.exception
    transition = f"{first['from_stage']} to {first['to_stage']}"
    assert page.selectbox(key="transition").value == transition
    assert page.query_params["transition"] == transition
    moves = table_of(page, "transition_cases")
    expected = sample_build.query(
        "select case_id from marts.fct_case_stage_durations where stage = ? and next_stage = ?"
        " order by case_id",
        [first["from_stage"], first["to_stage"]],
    )
    assert sorted(moves["case_id"]) == [case for (case,) in expected]
    assert len(moves) == first["transition_count"]

    case = moves.iloc[0]["case_id"]
    select_row(page, "transition_cases", 0)

    records = sample_build.query(
        "select count(*) from marts.fct_case_timeline where case_id = ?", [case]
    )[0][0]
    assert page.selectbox(key="case").value == case
    assert len(table_of(page, "column:record_id")) == records > 0


def test_a_shared_address_opens_the_same_view(
    sample_warehouse: Path, sample_build: SampleBuild, table_of: Table
) -> None:
    months = _months(sample_build)
    first, last = months[len(months) // 4], months[-1]
    source, target, cases, _ = _expected(sample_build, first, last, "B2B")[0]
    page = page_app("flow")
    page.query_params.update(
        {"from": first, "to": last, "segment": "B2B", "transition": f"{source} to {target}"}
    )

    page.run()

    assert not page.exception
    assert (page.selectbox(key="from").value, page.selectbox(key="to").value) == (first, last)
    assert page.radio(key="segment").value == "B2B"
    assert _shown(page, table_of) == _expected(sample_build, first, last, "B2B")
    assert table_of(page, "transition_cases")["case_id"].nunique() == cases


def test_an_empty_period_says_so(page: AppTest, sample_build: SampleBuild) -> None:
    months = _months(sample_build)
    page.query_params.update({"from": months[-1], "to": months[0]})

    page.run()

    assert not page.exception
    assert "The period is empty" in page.info[0].value
    assert not page.get("plotly_chart") and not page.dataframe


def test_a_warehouse_without_marts_explains_what_to_do(empty_warehouse: Path) -> None:
    page = page_app("flow").run()

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_case_stage_durations" in page.caption[-1].value
