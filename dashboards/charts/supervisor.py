"""Supervisor pages' figures: the stage-flow Sankey, the agent league bars and the channel
comparison."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.charts.core import BAR_COLOUR, SELECTED_COLOUR

STAGE_ORDER: tuple[str, ...] = (
    "reminder",
    "contact",
    "negotiation",
    "payment_plan",
    "formal_demand",
    "pre_litigation",
    "closed",
)
LINK_COLOUR = "rgba(76, 120, 168, 0.35)"
SELECTED_LINK_COLOUR = "rgba(245, 133, 24, 0.8)"


def stage_nodes(transitions: pd.DataFrame) -> list[str]:
    """The stages of `transitions` (from_stage, to_stage), in process order, unknown ones last."""
    present = set(transitions["from_stage"]) | set(transitions["to_stage"])
    known = [stage for stage in STAGE_ORDER if stage in present]
    return known + sorted(present - set(STAGE_ORDER))


def stage_sankey(
    transitions: pd.DataFrame, *, selected: tuple[str, str] | None = None
) -> go.Figure:
    """The directly-follows graph as a Sankey: a node per stage, a link per transition weighted
    by its case count; the hover gives the median and 90th percentile of the days spent in the
    stage before the move. `transitions` has the columns of `queries.stage_flow`; the selected
    (from, to) link is drawn in a second colour."""
    nodes = stage_nodes(transitions)
    index = {stage: position for position, stage in enumerate(nodes)}
    moves = list(zip(transitions["from_stage"], transitions["to_stage"], strict=True))
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": nodes, "pad": 18, "thickness": 16, "color": BAR_COLOUR},
            link={
                "source": [index[source] for source, _ in moves],
                "target": [index[target] for _, target in moves],
                "value": [int(count) for count in transitions["case_count"]],
                "customdata": [
                    [float(median), float(p90), int(count)]
                    for median, p90, count in zip(
                        transitions["median_duration_days"],
                        transitions["p90_duration_days"],
                        transitions["transition_count"],
                        strict=True,
                    )
                ],
                "color": [
                    SELECTED_LINK_COLOUR if move == selected else LINK_COLOUR for move in moves
                ],
                "hovertemplate": (
                    "%{source.label} → %{target.label}<br>%{value} cases "
                    "(%{customdata[2]} moves)<br>median %{customdata[0]:.1f} days, "
                    "p90 %{customdata[1]:.1f} days in %{source.label}<extra></extra>"
                ),
            },
        )
    )
    figure.update_layout(
        title="Case flow between stages (link width: cases)",
        margin={"t": 50, "b": 10, "l": 10, "r": 10},
    )
    return figure


def agent_bar_chart(
    league: pd.DataFrame, measure: str, label: str, *, selected_agent: str | None = None
) -> go.Figure:
    """One bar per agent of `league` (column `agent_id`) for the `measure` column, highest first;
    an undefined value (null) leaves no bar. The selected agent is drawn in a second colour."""
    frame = league.sort_values(measure, ascending=False, na_position="last", kind="stable")
    agents = [str(agent) for agent in frame["agent_id"]]
    figure = go.Figure(
        go.Bar(
            x=agents,
            y=[None if pd.isna(value) else float(value) for value in frame[measure]],
            marker_color=[
                SELECTED_COLOUR if agent == selected_agent else BAR_COLOUR for agent in agents
            ],
            hovertemplate="%{x}: %{y:,.4~f}<extra>" + label + "</extra>",
        )
    )
    figure.update_layout(
        title=f"{label} by agent",
        xaxis={"title": "Agent", "type": "category"},
        yaxis={"title": label},
        clickmode="event+select",
        dragmode=False,
        margin={"t": 50, "b": 40, "l": 60, "r": 20},
    )
    return figure


def channel_bar_chart(by_channel: pd.DataFrame, *, amount_label: str) -> go.Figure:
    """Two bar panels, one bar per channel of `by_channel` (rows in the order given): the amount
    collected within 30 days per contact (`collected_30d_per_contact_rc`, labelled
    `amount_label`) and the cost per collected unit (`cost_per_collected_unit`); an undefined
    value (no configured cost, nothing collected, an amount without FX rate) leaves no bar."""
    channels = [str(channel) for channel in by_channel["channel"]]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"Collected within 30 days per contact, {amount_label}",
            "Cost per unit collected",
        ),
    )
    for column, (measure, hover) in enumerate(
        (
            ("collected_30d_per_contact_rc", "%{x}: %{y:,.2f}<extra>per contact</extra>"),
            ("cost_per_collected_unit", "%{x}: %{y:,.4~f}<extra>cost per unit</extra>"),
        ),
        start=1,
    ):
        figure.add_trace(
            go.Bar(
                x=channels,
                y=[None if pd.isna(value) else float(value) for value in by_channel[measure]],
                marker_color=BAR_COLOUR,
                hovertemplate=hover,
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    figure.update_xaxes(type="category", title="Channel")
    figure.update_layout(dragmode=False, margin={"t": 60, "b": 40, "l": 60, "r": 20})
    return figure
