"""Auditor pages' figures: breaches by rule."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.charts.core import BAR_COLOUR, SELECTED_COLOUR


def breaches_by_rule_chart(by_rule: pd.DataFrame, *, selected_rule: str | None = None) -> go.Figure:
    """Breaches per rule (columns rule_id, breaches, outbound_contacts,
    breaches_per_1000_contacts), most first; the selected rule in a second colour. A click on a
    bar chooses that rule. The hover gives the rate, or says there were too few contacts for
    one (the rate is null)."""
    rules = [str(rule) for rule in by_rule["rule_id"]]
    figure = go.Figure(
        go.Bar(
            x=rules,
            y=[int(value) for value in by_rule["breaches"]],
            marker_color=[SELECTED_COLOUR if r == selected_rule else BAR_COLOUR for r in rules],
            customdata=[
                [_rate_hover(rate, contacts)]
                for rate, contacts in zip(
                    by_rule["breaches_per_1000_contacts"], by_rule["outbound_contacts"], strict=True
                )
            ],
            hovertemplate="%{x}: %{y} breaches (%{customdata[0]})<extra></extra>",
        )
    )
    figure.update_layout(
        title="Breaches by rule",
        xaxis={"title": "Rule", "type": "category"},
        yaxis={"title": "Breaches", "rangemode": "tozero"},
        clickmode="event+select",
        dragmode=False,
        margin={"t": 50, "b": 40, "l": 60, "r": 20},
    )
    return figure


def _rate_hover(rate: object, contacts: object) -> str:
    if not pd.isna(rate):
        return f"{float(rate):.2f} per 1,000 contacts"
    return f"too few contacts for a rate: {int(contacts):,}"
