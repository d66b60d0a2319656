"""What every chart shares: the colours, the layout of a clickable chart, and reading a click
back from Streamlit's Plotly selection state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BAR_COLOUR = "#4c78a8"
SELECTED_COLOUR = "#f58518"
FADED_OPACITY = 0.35
# Layout of a chart whose points can be clicked (one click selects, no drag-zoom).
CLICKABLE_LAYOUT: dict[str, Any] = {
    "clickmode": "event+select",
    "dragmode": False,
    "margin": {"t": 60, "b": 40, "l": 60, "r": 20},
}


def x_from_selection(selection: Mapping[str, Any] | None, allowed: Sequence[str]) -> str | None:
    """The category clicked on a bar chart (Streamlit's Plotly selection state), if in `allowed`."""
    if not selection:
        return None
    for point in selection.get("points") or ():
        if point.get("x") in allowed:
            return str(point["x"])
    return None


def _selected_customdata(selection: Mapping[str, Any] | None) -> list[Any] | None:
    """The customdata of the first selected point, as a list (None when nothing is chosen)."""
    if not selection:
        return None
    for point in selection.get("points") or ():
        data = point.get("customdata")
        if data is None:
            continue
        return list(data) if isinstance(data, list | tuple) else [data]
    return None


def _iso(value: Any) -> str:
    """ISO date text of a date, timestamp or text value."""
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]
