"""The stage Sankey and the agent bar chart against the frames they draw."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import charts, queries
from tests.conftest import SampleBuild

TRANSITIONS = pd.DataFrame(
    {
        "from_stage": ["contact", "reminder", "contact", "formal_demand", "zz_custom"],
        "to_stage": ["closed", "contact", "formal_demand", "contact", "closed"],
        "transition_count": [13, 27, 6, 2, 1],
        "case_count": [12, 27, 6, 2, 1],
        "median_duration_days": [56.8, 14.4, 38.3, 1.4, 3.0],
        "p90_duration_days": [103.2, 21.2, 59.1, 2.6, 3.0],
    }
)


def _links(figure) -> list[tuple]:
    sankey = figure.data[0]
    labels = list(sankey.node.label)
    return [
        (labels[source], labels[target], value, tuple(extra))
        for source, target, value, extra in zip(
            sankey.link.source,
            sankey.link.target,
            sankey.link.value,
            sankey.link.customdata,
            strict=True,
        )
    ]


def test_sankey_has_a_node_per_stage_in_process_order_and_a_link_per_transition() -> None:
    figure = charts.stage_sankey(TRANSITIONS)

    assert list(figure.data[0].node.label) == [
        "reminder",
        "contact",
        "formal_demand",
        "closed",
        "zz_custom",
    ]
    assert _links(figure) == [
        (
            row.from_stage,
            row.to_stage,
            row.case_count,
            (row.median_duration_days, row.p90_duration_days, row.transition_count),
        )
        for row in TRANSITIONS.itertuples(index=False)
    ]
    assert "median" in figure.data[0].link.hovertemplate
    assert "p90" in figure.data[0].link.hovertemplate


def test_sankey_draws_the_selected_transition_in_its_own_colour() -> None:
    figure = charts.stage_sankey(TRANSITIONS, selected=("contact", "formal_demand"))

    colours = list(figure.data[0].link.color)
    assert colours[2] == charts.SELECTED_LINK_COLOUR
    assert colours.count(charts.SELECTED_LINK_COLOUR) == 1


def test_sankey_of_the_sample_matches_its_transitions(sample_build: SampleBuild) -> None:
    months = queries.flow_months(sample_build.settings.warehouse)
    flow = queries.stage_flow(sample_build.settings.warehouse, months[0], months[-1], "all", "all")

    links = _links(charts.stage_sankey(flow))

    assert sorted((a, b, v) for a, b, v, _ in links) == sample_build.query(
        "select from_stage, to_stage, case_count from marts.fct_stage_transitions"
        " where from_stage <> 'closed' order by 1, 2"
    )


def test_agent_bars_are_highest_first_and_leave_undefined_values_out() -> None:
    league = pd.DataFrame({"agent_id": ["A1", "A2", "A3"], "rpc_rate": [0.2, None, 0.5]})

    figure = charts.agent_bar_chart(league, "rpc_rate", "RPC rate", selected_agent="A1")

    assert list(figure.data[0].x) == ["A3", "A1", "A2"]
    assert list(figure.data[0].y) == [0.5, 0.2, None]
    assert list(figure.data[0].marker.color) == [
        charts.BAR_COLOUR,
        charts.SELECTED_COLOUR,
        charts.BAR_COLOUR,
    ]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"points": [{"x": "A2", "point_index": 1}]}, "A2"),
        ({"points": [{"x": "nobody"}]}, None),
        ({"points": []}, None),
        (None, None),
    ],
)
def test_a_clicked_bar_names_its_agent(selection: dict | None, expected: str | None) -> None:
    assert charts.x_from_selection(selection, ["A1", "A2"]) == expected
