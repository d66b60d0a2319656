"""Plotly figure builders for the dashboards: pure functions, no Streamlit, no SQL."""

from __future__ import annotations

from collections.abc import Mapping
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
