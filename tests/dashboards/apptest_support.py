"""What the page tests share: opening a page on a warehouse, reading what it shows, and
sending a chart selection the way the browser does."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import user_key_from_element_id

from tests.conftest import SampleBuild

VIEWS = Path(__file__).resolve().parents[2] / "dashboards" / "views"
TIMEOUT = 60

Table = Callable[[AppTest, str], pd.DataFrame]  # fixture table_of
Traces = Callable[[AppTest, str], list[dict]]  # fixture chart_traces
SelectRow = Callable[[AppTest, str, int | None], AppTest]  # fixture select_row


def page_app(name: str) -> AppTest:
    """AppTest of `dashboards/views/<name>.py`, not run yet (AMICABLE_WAREHOUSE set by a
    fixture such as `sample_warehouse`)."""
    return AppTest.from_file(VIEWS / f"{name}.py", default_timeout=TIMEOUT)


def open_page(name: str, warehouse: Path, monkeypatch: pytest.MonkeyPatch, **query: str) -> AppTest:
    """The page `dashboards/views/<name>.py` on `warehouse`, opened at `?query` and run once."""
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = page_app(name)
    page.query_params.update(query)
    return page.run()


def months_in(sample_build: SampleBuild, mart: str, column: str) -> list[str]:
    """Months ('YYYY-MM') of `column` in `marts.<mart>`, oldest first (names are test literals)."""
    rows = sample_build.query(
        f"select distinct strftime({column}, '%Y-%m') as month from marts.{mart}"
        f" where {column} is not null order by month"
    )
    months = [month for (month,) in rows]
    assert len(months) >= 3
    return months


def metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def table(page: AppTest, column: str) -> pd.DataFrame:
    """The one table showing `column` (st.dataframe without selection carries no key here)."""
    found = [frame.value for frame in page.dataframe if column in frame.value.columns]
    assert len(found) == 1, f"expected one table with {column!r}, found {len(found)}"
    return found[0]


def has_table(page: AppTest, column: str) -> bool:
    return any(column in frame.value.columns for frame in page.dataframe)


def chart(page: AppTest, key: str) -> Any:
    """The st.plotly_chart drawn with `key`."""
    found = [c for c in page.get("plotly_chart") if user_key_from_element_id(c.proto.id) == key]
    assert len(found) == 1, f"expected one chart {key!r}, found {len(found)}"
    return found[0]


def traces(page: AppTest, key: str) -> list[dict[str, Any]]:
    """The traces of a chart as the browser receives them, typed arrays decoded to lists."""
    return [_decoded(trace) for trace in json.loads(chart(page, key).proto.spec)["data"]]


def bound_keys(page: AppTest) -> set[str]:
    """Keys of the widgets bound to the URL (the browser writes their value to `?key=`)."""
    widgets = [*page.selectbox, *page.radio]
    return {widget.key for widget in widgets if widget.proto.query_param_key}


def url_of(page: AppTest) -> dict[str, str]:
    """The query string the browser shows for the page's bound widgets: each widget's option
    as the widget labels it (what Streamlit writes to the URL); empty widgets are left out."""
    return {
        widget.key: widget.options[widget.index]
        for widget in [*page.selectbox, *page.radio]
        if widget.proto.query_param_key and widget.index is not None
    }


def select_points(page: AppTest, key: str, points: list[dict[str, Any]]) -> AppTest:
    """Send a click on chart `key` selecting `points` (AppTest has no Plotly interaction yet).

    Relies on AppTest internals (`_tree.get_widget_states`, `_run`), as the ageing page test
    does: if Streamlit renames them this helper fails loudly rather than passing silently.
    """
    selection = {
        "points": points,
        "point_indices": [point.get("point_index", 0) for point in points],
        "box": [],
        "lasso": [],
    }
    states = page._tree.get_widget_states()
    states.widgets.append(
        WidgetState(id=chart(page, key).proto.id, string_value=json.dumps({"selection": selection}))
    )
    return page._run(states)


def _decoded(value: Any) -> Any:
    """Plotly's typed arrays (`bdata`) decoded to lists, at any depth."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return array.tolist()
    if isinstance(value, dict):
        return {name: _decoded(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value
