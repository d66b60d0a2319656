"""The app's entry point routes to the finance pages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import TIMEOUT, VIEWS


@pytest.mark.parametrize(
    ("script", "title"),
    [
        ("waterfall.py", "Ageing waterfall"),
        ("recovery.py", "Recovery curves"),
        ("cash.py", "Expected cash"),
        ("debtors.py", "Top debtors"),
    ],
)
def test_the_app_opens_each_finance_page(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch, script: str, title: str
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    app = AppTest.from_file(VIEWS.parent / "app.py", default_timeout=TIMEOUT).run()

    app.switch_page(f"views/{script}").run()

    assert not app.exception
    assert app.title[0].value == title
    assert app.metric  # the page drew its figures, not an explanation
