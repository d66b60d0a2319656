"""Finance pages' figures: ledger ageing, DSO and CEI, the ageing waterfall and bucket mix,
recovery curves and liquidation, expected cash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

from dashboards.charts.core import (
    BAR_COLOUR,
    CLICKABLE_LAYOUT,
    FADED_OPACITY,
    SELECTED_COLOUR,
    _iso,
    _selected_customdata,
)
from dashboards.queries import ArWaterfall

MAX_MONTH_TICKS = 24  # labels on the months-on-book axis before they crowd each other
# From current (green) to the oldest bucket (brown); the configured buckets take colours spread
# evenly along it, so the default six get exactly these.
BUCKET_SCALE = ("#54a24b", "#eeca3b", "#f58518", "#e45756", "#b279a2", "#72423d")


def bucket_colours(buckets: Sequence[str]) -> dict[str, str]:
    """A colour per bucket, in bucket order, from `BUCKET_SCALE` (interpolated when the
    configuration has more or fewer than six buckets)."""
    if len(buckets) == len(BUCKET_SCALE):
        return dict(zip(buckets, BUCKET_SCALE, strict=True))
    scale = [f"rgb{plotly.colors.hex_to_rgb(colour)}" for colour in BUCKET_SCALE]
    points = [index / max(len(buckets) - 1, 1) for index in range(len(buckets))]
    return dict(zip(buckets, plotly.colors.sample_colorscale(scale, points), strict=True))


def ordered_buckets(by_bucket: pd.DataFrame, buckets: Sequence[str]) -> pd.DataFrame:
    """`by_bucket` with every bucket of `buckets` (the labels in order, from
    `queries.ageing_buckets`) present once, in that order (unknown labels last)."""
    known = pd.DataFrame({"ageing_bucket": list(buckets)})
    frame = known.merge(by_bucket, on="ageing_bucket", how="outer", sort=False)
    rank = {bucket: index for index, bucket in enumerate(buckets)}
    frame["_order"] = frame["ageing_bucket"].map(lambda bucket: rank.get(bucket, len(rank)))
    frame = frame.sort_values(["_order", "ageing_bucket"], kind="stable").drop(columns="_order")
    for column in ("open_amount_rc", "open_items"):
        if column in frame.columns:
            frame[column] = frame[column].fillna(0)
    return frame.reset_index(drop=True)


def ageing_bar_chart(
    by_bucket: pd.DataFrame,
    *,
    buckets: Sequence[str],
    reporting_currency: str | None,
    selected_bucket: str | None = None,
) -> go.Figure:
    """Bar chart of open amount (reporting currency) per ageing bucket, by due date.

    `by_bucket` needs columns `ageing_bucket` and `open_amount_rc` (`open_items` is shown in
    the hover when present); `buckets` are the labels in order. The selected bucket is drawn in
    a second colour.
    """
    frame = ordered_buckets(by_bucket, buckets)
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


def bucket_from_selection(
    selection: Mapping[str, Any] | None, buckets: Sequence[str]
) -> str | None:
    """The bucket clicked on the ageing chart, from Streamlit's Plotly selection state (one of
    `buckets`, else None)."""
    if not selection:
        return None
    for point in selection.get("points") or ():
        label = point.get("x")
        if label is None and point.get("customdata"):
            label = point["customdata"][0]
        if label in buckets:
            return str(label)
    return None


DSO_SERIES = {
    "standard_dso_days": "Standard DSO",
    "countback_dso_days": "Countback DSO",
    "best_possible_dso_days": "Best possible DSO",
    "add_days": "ADD (days delinquent)",
}


def dso_trend_chart(months: pd.DataFrame, *, selected_month: str | None = None) -> go.Figure:
    """The DSO family on one chart: one line per figure, in days, per month.

    `months` needs `month`, `is_partial_period` and the columns of `DSO_SERIES`; undefined
    figures (null) leave a gap rather than a zero. A partial (as-of) month is marked, the
    selected month (ISO first day) too; each point carries its month as customdata.
    """
    figure = go.Figure()
    keys = _month_keys(months)
    for column, label in DSO_SERIES.items():
        figure.add_trace(
            go.Scatter(
                x=list(months["month"]),
                y=[None if pd.isna(v) else float(v) for v in months[column]],
                mode="lines+markers",
                name=label,
                connectgaps=False,
                customdata=keys,
                hovertemplate="%{x|%Y-%m}: %{y:.2f} days<extra>" + label + "</extra>",
            )
        )
    partial = months.loc[months["is_partial_period"].astype(bool), "month"]
    for month in partial:
        figure.add_vline(x=month, line_dash="dot", line_color="#999999")
    if selected_month is not None:
        figure.add_vline(x=selected_month, line_color=SELECTED_COLOUR, line_width=2)
    figure.update_layout(
        title="DSO family (days)",
        xaxis_title="Month",
        yaxis_title="Days",
        legend={"orientation": "h", "y": -0.2},
        **{**CLICKABLE_LAYOUT, "margin": {"t": 50, "b": 10}},
    )
    return figure


def cei_chart(months: pd.DataFrame, *, selected_month: str | None = None) -> go.Figure:
    """Collection effectiveness index (%) per month, as bars; null months are left empty. Each
    bar carries its month (ISO first day) as customdata; the selected month's bar stands out."""
    keys = _month_keys(months)
    figure = go.Figure(
        go.Bar(
            x=list(months["month"]),
            y=[None if pd.isna(v) else float(v) for v in months["cei_pct"]],
            marker_color=[
                SELECTED_COLOUR if key == [selected_month] else BAR_COLOUR for key in keys
            ],
            customdata=keys,
            hovertemplate="%{x|%Y-%m}: %{y:.2f} %<extra></extra>",
        )
    )
    figure.update_layout(
        title="Collection effectiveness index (%)",
        xaxis_title="Month",
        yaxis_title="CEI (%)",
        **{**CLICKABLE_LAYOUT, "margin": {"t": 50, "b": 10}},
    )
    return figure


def _month_keys(months: pd.DataFrame) -> list[list[str]]:
    return [[_iso(month)] for month in months["month"]]


def month_from_selection(selection: Mapping[str, Any] | None) -> str | None:
    """The month (ISO first day) of the DSO or CEI point clicked."""
    data = _selected_customdata(selection)
    return str(data[0]) if data else None


WATERFALL_LABELS = {
    "opening_amount": "Opening AR",
    "new_invoice_amount": "+ New invoices",
    "credit_note_amount": "− Credit notes",
    "cash_applied_amount": "− Cash applied",
    "unapplied_credit_change_amount": "± Unapplied credit",
    "fx_revaluation_amount": "± FX revaluation",
    "closing_amount": "Closing AR",
}


def ar_waterfall_chart(waterfall: ArWaterfall, *, title: str) -> go.Figure:
    """The ageing waterfall: opening AR, each movement with its sign, closing AR.

    Both ends are drawn as absolute bars at the amounts of the query (the ageing totals), the
    movements as relative steps floating between them; each point carries its step key as
    customdata. A hover shows the step's own signed amount (a movement's change, not the running
    total). The amount axis spans the levels the bridge passes through, not zero to the top, so
    a movement of a few percent of the ledger is a visible step rather than a sliver (the axis
    title says it does not start at zero).
    """
    steps = list(WATERFALL_LABELS)
    ends = (steps[0], steps[-1])
    values = [
        float(waterfall.amounts[step] if step in ends else waterfall.signed_change(step))
        for step in steps
    ]
    texts = [
        f"{value:,.2f}" if step in ends else f"{value:+,.2f}"
        for step, value in zip(steps, values, strict=True)
    ]
    currency = waterfall.reporting_currency or "reporting currency"
    figure = go.Figure(
        go.Waterfall(
            x=[WATERFALL_LABELS[step] for step in steps],
            y=values,
            measure=["absolute" if step in ends else "relative" for step in steps],
            customdata=[[step] for step in steps],
            text=texts,
            textposition="outside",
            connector={"line": {"color": "#999999"}},
            increasing={"marker": {"color": "#e45756"}},
            decreasing={"marker": {"color": "#54a24b"}},
            totals={"marker": {"color": BAR_COLOUR}},
            hovertemplate="%{x}: %{text} " + currency + "<extra></extra>",
        )
    )
    low, high = _waterfall_levels(values)
    margin = max((high - low) * 0.25, abs(high) * 0.01, 1.0)
    axis_from = max(low - margin, 0.0) if low >= 0 else low - margin
    axis_title = f"Amount ({currency})"
    if axis_from > 0:
        axis_title += ", axis from " + f"{axis_from:,.0f}"
    figure.update_layout(
        title=title,
        yaxis={"title": axis_title, "tickformat": ",.0f", "range": [axis_from, high + margin]},
        **CLICKABLE_LAYOUT,
    )
    return figure


def _waterfall_levels(values: list[float]) -> tuple[float, float]:
    """The lowest and highest running level of a bridge (first and last values absolute)."""
    level = values[0]
    levels = [level, values[-1]]
    for value in values[1:-1]:
        level += value
        levels.append(level)
    return min(levels), max(levels)


def step_from_selection(selection: Mapping[str, Any] | None) -> str | None:
    """The waterfall step clicked, from Streamlit's Plotly selection state."""
    data = _selected_customdata(selection)
    return str(data[0]) if data and data[0] in WATERFALL_LABELS else None


def bucket_mix_chart(
    history: pd.DataFrame,
    *,
    buckets: Sequence[str],
    reporting_currency: str | None,
    window: tuple[str, str] | None = None,
) -> go.Figure:
    """Open amount per snapshot as bars stacked by ageing bucket (bucket order, bottom up).

    `history` needs `snapshot_date` (ISO text or dates), `ageing_bucket`, `open_amount_rc`
    and `open_items`; `buckets` are the labels in order. Snapshots outside `window` (ISO first,
    last) are faded. Each point carries [snapshot, bucket] as customdata.
    """
    colours = bucket_colours(buckets)
    frame = history.assign(snapshot=[_iso(value) for value in history["snapshot_date"]])
    snapshots = sorted(frame["snapshot"].unique())
    currency = reporting_currency or "reporting currency"
    opacity = [
        1.0 if window is None or window[0] <= snapshot <= window[1] else FADED_OPACITY
        for snapshot in snapshots
    ]
    figure = go.Figure()
    for bucket in buckets:
        rows = frame[frame["ageing_bucket"] == bucket].set_index("snapshot")
        amounts = [float(rows["open_amount_rc"].get(snapshot, 0)) for snapshot in snapshots]
        items = [int(rows["open_items"].get(snapshot, 0)) for snapshot in snapshots]
        figure.add_trace(
            go.Bar(
                x=snapshots,
                y=amounts,
                name=bucket,
                marker={"color": colours[bucket], "opacity": opacity},
                customdata=[
                    [snapshot, bucket, count]
                    for snapshot, count in zip(snapshots, items, strict=True)
                ],
                hovertemplate=(
                    "%{x}, "
                    + bucket
                    + ": %{y:,.2f} "
                    + currency
                    + "<br>%{customdata[2]} open items<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        title="Bucket mix per snapshot (by due date)",
        barmode="stack",
        xaxis={"title": "Snapshot", "type": "category"},
        yaxis={"title": f"Open amount ({currency})", "tickformat": ",.0f"},
        legend={"orientation": "h", "y": -0.25, "traceorder": "normal"},
        **CLICKABLE_LAYOUT,
    )
    return figure


def snapshot_bucket_from_selection(
    selection: Mapping[str, Any] | None, buckets: Sequence[str]
) -> tuple[str, str] | None:
    """(snapshot ISO date, bucket) of the stacked bar clicked (the bucket one of `buckets`)."""
    data = _selected_customdata(selection)
    if data and len(data) >= 2 and data[1] in buckets:
        return str(data[0]), str(data[1])
    return None


def recovery_curves_chart(curves: pd.DataFrame, *, selected_cohort: str | None = None) -> go.Figure:
    """Cumulative recovery rate by month on book, one line per placement cohort.

    `curves` needs `placement_month`, `month_on_book`, `recovery_rate` (0–1), `cases_count`
    and `placed_amount_rc`; each point carries its cohort (ISO month start) as customdata.
    The selected cohort is drawn thicker, the others lighter.
    """
    figure = go.Figure()
    for cohort, rows in curves.groupby("placement_month", sort=True):
        key = _iso(cohort)
        chosen = selected_cohort is None or key == selected_cohort
        figure.add_trace(
            go.Scatter(
                x=list(rows["month_on_book"]),
                y=[None if pd.isna(v) else float(v) for v in rows["recovery_rate"]],
                mode="lines+markers",
                name=f"{key[:7]} ({int(rows['cases_count'].iloc[0])} cases)",
                customdata=[[key]] * len(rows),
                opacity=1.0 if chosen else FADED_OPACITY,
                line={"width": 4 if key == selected_cohort else 2},
                hovertemplate=(
                    "Cohort " + key[:7] + ", month %{x}: %{y:.1%} recovered<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        title="Cumulative recovery rate by months on book",
        xaxis={
            "title": "Months on book (0 = placement month)",
            "tick0": 0,
            "dtick": _month_step(curves["month_on_book"]),
        },
        yaxis={"title": "Recovered ÷ placed", "tickformat": ".0%", "rangemode": "tozero"},
        **CLICKABLE_LAYOUT,
    )
    return figure


def _month_step(months: pd.Series) -> int:
    """Every month on book labelled up to MAX_MONTH_TICKS ticks, every n-th month beyond."""
    longest = int(months.max()) if len(months) else 0
    return max(1, -(-longest // MAX_MONTH_TICKS))


def cohort_from_selection(selection: Mapping[str, Any] | None) -> str | None:
    """The cohort (ISO month start) of the recovery curve point clicked."""
    data = _selected_customdata(selection)
    return str(data[0]) if data else None


def liquidation_chart(liquidation: pd.DataFrame) -> go.Figure:
    """Liquidation rate (collected ÷ open placed balance at the month's start) per calendar
    month, as bars; the partial as-of month is lighter, undefined months are left empty."""
    partial = liquidation["is_partial_period"].astype(bool)
    figure = go.Figure(
        go.Bar(
            x=list(liquidation["calendar_month"]),
            y=[None if pd.isna(v) else float(v) for v in liquidation["liquidation_rate"]],
            marker={"color": BAR_COLOUR, "opacity": [FADED_OPACITY if p else 1.0 for p in partial]},
            hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        title="Liquidation rate per month",
        xaxis={"title": "Month", "tickformat": "%Y-%m"},
        yaxis={"title": "Collected ÷ open balance at start", "tickformat": ".0%"},
        margin=CLICKABLE_LAYOUT["margin"],
    )
    return figure


CASH_SERIES = {
    "remaining_7d_amount_rc": "Promised, next 7 days",
    "expected_7d_amount_rc": "Weighted, next 7 days",
    "remaining_30d_amount_rc": "Promised, next 30 days",
    "expected_30d_amount_rc": "Weighted, next 30 days",
}


def cash_expected_chart(by_agent: pd.DataFrame, *, reporting_currency: str | None) -> go.Figure:
    """Promised and kept-rate-weighted cash per agent and segment, 7 and 30 days, as grouped
    bars; each point carries [agent, segment] as customdata."""
    labels = [
        f"{agent} · {segment}"
        for agent, segment in zip(by_agent["agent_id"], by_agent["segment"], strict=True)
    ]
    keys = [
        [agent, segment]
        for agent, segment in zip(by_agent["agent_id"], by_agent["segment"], strict=True)
    ]
    currency = reporting_currency or "reporting currency"
    figure = go.Figure()
    for column, name in CASH_SERIES.items():
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[float(v) for v in by_agent[column]],
                name=name,
                customdata=keys,
                hovertemplate="%{x}: %{y:,.2f} " + currency + "<extra>" + name + "</extra>",
            )
        )
    figure.update_layout(
        title="Cash expected from promises by agent and segment",
        barmode="group",
        xaxis={"title": "Agent · segment", "type": "category"},
        yaxis={"title": f"Amount ({currency})", "tickformat": ",.0f"},
        legend={"orientation": "h", "y": -0.25},
        **CLICKABLE_LAYOUT,
    )
    return figure


def agent_segment_from_selection(selection: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(agent, segment) of the cash bar clicked."""
    data = _selected_customdata(selection)
    return (str(data[0]), str(data[1])) if data and len(data) >= 2 else None


_END_STATES = ("paid", "credited", "written_off")


def _heat(cells: dict, cell: tuple[str, str]) -> tuple[float | None, str]:
    """A heatmap cell's share and text: 0 and none where nothing moved, None (drawn blank) and
    `unknown` where the share is unknown."""
    if cell not in cells:
        return 0.0, ""
    value = cells[cell]
    if value is None or pd.isna(value):
        return None, "unknown"
    return float(value), f"{value:.0%}"


def roll_rate_heatmap(matrix: pd.DataFrame, *, buckets: Sequence[str]) -> go.Figure:
    """The transition matrix as a heatmap: a row per bucket at the period's start, a column per
    state at its end (the buckets in order, then paid, credited and written off), the cell's
    share of the row's opening AR (`amount_rate`, 0–1) written in it; an empty cell is 0, a
    cell whose rate is unknown (an amount without FX rate) is left blank and says `unknown`.

    `matrix` needs `from_bucket`, `to_state`, `amount_rate` and `opening_amount_rc`; `buckets`
    are the bucket labels in order."""
    rows = [bucket for bucket in buckets if bucket in set(matrix["from_bucket"])]
    states = set(matrix["to_state"])
    columns = [state for state in (*buckets, *_END_STATES) if state in states]
    cells = {(row.from_bucket, row.to_state): row.amount_rate for row in matrix.itertuples()}
    shown = [[_heat(cells, (row, column)) for column in columns] for row in rows]
    z = [[value for value, _ in line] for line in shown]
    text = [[label for _, label in line] for line in shown]
    figure = go.Figure(
        go.Heatmap(
            x=columns,
            y=rows,
            z=z,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            hovertemplate="%{y} → %{x}: %{text} of the opening AR<extra></extra>",
            showscale=False,
        )
    )
    figure.update_layout(
        title="Where each bucket's open AR stood a month later (share of its amount)",
        xaxis={"title": "At the period's end", "type": "category", "side": "top"},
        yaxis={"title": "At the period's start", "type": "category", "autorange": "reversed"},
        margin={"t": 90, "b": 40, "l": 80, "r": 20},
    )
    return figure
