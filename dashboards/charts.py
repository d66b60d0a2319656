"""Plotly figure builders for the dashboards: pure functions, no Streamlit, no SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboards.queries import AGEING_BUCKETS

BAR_COLOUR = "#4c78a8"
SELECTED_COLOUR = "#f58518"


def ordered_buckets(by_bucket: pd.DataFrame) -> pd.DataFrame:
    """`by_bucket` with every bucket present once, in bucket order (unknown labels last)."""
    known = pd.DataFrame({"ageing_bucket": list(AGEING_BUCKETS)})
    frame = known.merge(by_bucket, on="ageing_bucket", how="outer", sort=False)
    rank = {bucket: index for index, bucket in enumerate(AGEING_BUCKETS)}
    frame["_order"] = frame["ageing_bucket"].map(lambda bucket: rank.get(bucket, len(rank)))
    frame = frame.sort_values(["_order", "ageing_bucket"], kind="stable").drop(columns="_order")
    for column in ("open_amount_rc", "open_items"):
        if column in frame.columns:
            frame[column] = frame[column].fillna(0)
    return frame.reset_index(drop=True)


def ageing_bar_chart(
    by_bucket: pd.DataFrame,
    *,
    reporting_currency: str | None,
    selected_bucket: str | None = None,
) -> go.Figure:
    """Bar chart of open amount (reporting currency) per ageing bucket, by due date.

    `by_bucket` needs columns `ageing_bucket` and `open_amount_rc` (`open_items` is shown in
    the hover when present). The selected bucket is drawn in a second colour.
    """
    frame = ordered_buckets(by_bucket)
    labels = [str(bucket) for bucket in frame["ageing_bucket"]]
    amounts = [float(amount) for amount in frame["open_amount_rc"]]
    items = (
        [int(count) for count in frame["open_items"]]
        if "open_items" in frame.columns
        else [None] * len(labels)
    )
    currency = reporting_currency or "reporting currency"
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=amounts,
            customdata=[[label, count] for label, count in zip(labels, items, strict=True)],
            marker_color=[
                SELECTED_COLOUR if label == selected_bucket else BAR_COLOUR for label in labels
            ],
            hovertemplate=(
                "%{x}: %{y:,.2f} " + currency + "<br>%{customdata[1]} open items<extra></extra>"
            ),
        )
    )
    figure.update_layout(
        title="Open amount by ageing bucket (by due date)",
        xaxis={
            "title": "Days past due",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
        },
        yaxis={"title": f"Open amount ({currency})", "tickformat": ",.0f"},
        clickmode="event+select",
        dragmode=False,
        margin={"t": 60, "b": 40, "l": 60, "r": 20},
    )
    return figure


def bucket_from_selection(selection: Mapping[str, Any] | None) -> str | None:
    """The bucket clicked on the ageing chart, from Streamlit's Plotly selection state."""
    if not selection:
        return None
    for point in selection.get("points") or ():
        label = point.get("x")
        if label is None and point.get("customdata"):
            label = point["customdata"][0]
        if label in AGEING_BUCKETS:
            return str(label)
    return None


DSO_SERIES = {
    "standard_dso_days": "Standard DSO",
    "countback_dso_days": "Countback DSO",
    "best_possible_dso_days": "Best possible DSO",
    "add_days": "ADD (days delinquent)",
}


def dso_trend_chart(months: pd.DataFrame) -> go.Figure:
    """The DSO family on one chart: one line per figure, in days, per month.

    `months` needs `month`, `is_partial_period` and the columns of `DSO_SERIES`; undefined
    figures (null) leave a gap rather than a zero. A partial (as-of) month is marked.
    """
    figure = go.Figure()
    for column, label in DSO_SERIES.items():
        figure.add_trace(
            go.Scatter(
                x=list(months["month"]),
                y=[None if pd.isna(v) else float(v) for v in months[column]],
                mode="lines+markers",
                name=label,
                connectgaps=False,
                hovertemplate="%{x|%Y-%m}: %{y:.2f} days<extra>" + label + "</extra>",
            )
        )
    partial = months.loc[months["is_partial_period"].astype(bool), "month"]
    for month in partial:
        figure.add_vline(x=month, line_dash="dot", line_color="#999999")
    figure.update_layout(
        title="DSO family (days)",
        xaxis_title="Month",
        yaxis_title="Days",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 50, "b": 10},
    )
    return figure


def cei_chart(months: pd.DataFrame) -> go.Figure:
    """Collection effectiveness index (%) per month, as bars; null months are left empty."""
    figure = go.Figure(
        go.Bar(
            x=list(months["month"]),
            y=[None if pd.isna(v) else float(v) for v in months["cei_pct"]],
            marker_color=BAR_COLOUR,
            hovertemplate="%{x|%Y-%m}: %{y:.2f} %<extra></extra>",
        )
    )
    figure.update_layout(
        title="Collection effectiveness index (%)",
        xaxis_title="Month",
        yaxis_title="CEI (%)",
        margin={"t": 50, "b": 10},
    )
    return figure


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


def x_from_selection(selection: Mapping[str, Any] | None, allowed: Sequence[str]) -> str | None:
    """The category clicked on a bar chart (Streamlit's Plotly selection state), if in `allowed`."""
    if not selection:
        return None
    for point in selection.get("points") or ():
        if point.get("x") in allowed:
            return str(point["x"])
    return None
