"""What the page tests share: opening a page on a warehouse, reading what it shows (its tables
and their CSV downloads), and sending a chart selection the way the browser does."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.media_file_manager import MediaFileManager
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


def open_every_drill(
    name: str, warehouse: Path, monkeypatch: pytest.MonkeyPatch, rounds: int = 5
) -> AppTest:
    """The page opened, then again with the first option of every empty choice bound to the URL
    (a bucket, a month, a cohort, a case...), until none is left: every drill-down open."""
    query: dict[str, str] = {}
    page = open_page(name, warehouse, monkeypatch)
    for _ in range(rounds):
        empty = {
            widget.key: widget.options[0]
            for widget in page.selectbox
            if widget.proto.query_param_key and widget.index is None and widget.options
        }
        if not empty:
            break
        query.update(empty)
        page = open_page(name, warehouse, monkeypatch, **query)
    return page


def tables_without_csv(page: AppTest) -> list[list[str]]:
    """The columns of each table of the page not followed at once by a download button (its
    CSV export, `dashboards.blocks.table`)."""
    missing: list[list[str]] = []

    def walk(block: Any) -> None:
        children = [block.children[index] for index in sorted(block.children)]
        for position, child in enumerate(children):
            after = children[position + 1].type if position + 1 < len(children) else None
            if child.type == "dataframe" and after != "download_button":
                missing.append(list(child.value.columns))
            if hasattr(child, "children"):
                walk(child)

    walk(page._tree)
    return missing


class Downloads:
    """What the pages' download buttons would send (fixture `downloads`): a static button's
    file, or what a deferred one's callable returns, called as Streamlit calls it on a click:
    after the page run, outside it (no session, no script-run context).

    Records MediaFileManager.add / add_deferred (the calls `st.download_button` makes), so a
    Streamlit rename fails loudly here rather than passing silently."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._files: dict[str, Any] = {}
        self._deferred: dict[str, Callable[[], Any]] = {}
        self._names: dict[str, str | None] = {}
        add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

        def recording_add(manager: MediaFileManager, data: Any, *args: Any, **kw: Any) -> str:
            url = add(manager, data, *args, **kw)
            self._files[url] = data
            return url

        def recording_add_deferred(
            manager: MediaFileManager, build: Callable[[], Any], *args: Any, **kw: Any
        ) -> str:
            file_id = add_deferred(manager, build, *args, **kw)
            self._deferred[file_id] = build
            self._names[file_id] = kw.get("file_name", args[2] if len(args) > 2 else None)
            return file_id

        monkeypatch.setattr(MediaFileManager, "add", recording_add)
        monkeypatch.setattr(MediaFileManager, "add_deferred", recording_add_deferred)

    def is_deferred(self, page: AppTest, key: str) -> bool:
        return bool(page.download_button(key=key).proto.deferred_file_id)

    def file_name(self, page: AppTest, key: str) -> str | None:
        """The file name deferred download button `key` offers."""
        return self._names[page.download_button(key=key).proto.deferred_file_id]

    def data(self, page: AppTest, key: str) -> Any:
        """What download button `key` would send (its deferred callable called)."""
        button = page.download_button(key=key).proto
        data = self._deferred[button.deferred_file_id]() if button.deferred_file_id else None
        return self._files[button.url] if data is None else data

    def csv(self, page: AppTest, key: str) -> pd.DataFrame:
        """The CSV of download button `key` as text columns (empty cells as '')."""
        data = self.data(page, key)
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


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
