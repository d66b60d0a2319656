"""The app routes to the supervisor pages, after the stuck cases, by their URL paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboards.apptest_support import TIMEOUT, VIEWS

APP = VIEWS.parent / "app.py"


@pytest.mark.parametrize(
    ("script", "title"),
    [
        ("flow.py", "Stage flow"),
        ("agents.py", "Agent league table"),
        ("promises.py", "Broken promises without follow-up"),
        ("channels.py", "Channels"),
    ],
)
def test_the_app_opens_each_supervisor_page(
    sample_warehouse: Path, script: str, title: str
) -> None:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT).run()

    app.switch_page(f"views/{script}").run()

    assert not app.exception
    assert app.title[0].value == title
    assert not app.error
