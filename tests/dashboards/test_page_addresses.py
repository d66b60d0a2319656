"""Each page's filters live in its own address: the README's example addresses are honoured,
a value the page does not know is said to be not recognised (never an all-clear), and a filter
chosen on one page does not change another page's figures (`dashboards.ui.choice`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.app import PAGES
from tests.dashboards.apptest_support import TIMEOUT, VIEWS, metrics, open_page

README = Path(__file__).resolve().parents[2] / "README.md"
NOT_RECOGNISED = "is not recognised here"


def readme_addresses() -> list[tuple[str, dict[str, str]]]:
    """(page script, parameters with a concrete value) of every address in the README's page
    table (`/dso?segment=B2B&period=3+months`); `…` placeholders are left out."""
    found = []
    for address in re.findall(r"\(`(/[a-z]*\?[^`]+)`\)", README.read_text(encoding="utf-8")):
        parts = urlsplit(address)
        url_path = parts.path.strip("/") or PAGES[0].url_path
        script = next(spec.script for spec in PAGES if spec.url_path == url_path)
        params = {name: value for name, value in parse_qsl(parts.query) if value != "…"}
        found.append((script.removesuffix(".py"), params))
    return found


def shown_choices(page: AppTest) -> dict[str, str]:
    """The choice each keyed filter shows, as its label (the URL value)."""
    return {
        widget.key: widget.options[widget.index]
        for widget in [*page.selectbox, *page.radio]
        if widget.key and widget.index is not None
    }


def warnings(page: AppTest) -> list[str]:
    return [element.value for element in page.warning]


def test_readme_lists_an_address_with_values_for_every_page_with_filters() -> None:
    pages = {script for script, params in readme_addresses() if params}
    assert {"ageing", "dso", "stuck", "flow", "agents", "promises", "breaches", "health"} <= pages


@pytest.mark.parametrize(("script", "params"), readme_addresses())
def test_every_readme_example_address_is_honoured(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch, script: str, params: dict[str, str]
) -> None:
    page = open_page(script, sample_warehouse, monkeypatch, **params)
    assert not page.exception
    assert not [text for text in warnings(page) if NOT_RECOGNISED in text]
    shown = shown_choices(page)
    assert {name: shown.get(name) for name in params} == params


@pytest.mark.parametrize(
    ("script", "params"),
    [
        ("stuck", {"agent": "NO-SUCH-AGENT"}),
        ("stuck", {"agent": ""}),
        ("stuck", {"rule": "Every rule"}),
        ("promises", {"due": "1999-01"}),
        ("health", {"status": "failed"}),
        ("dso", {"segment": "B2X"}),
    ],
)
def test_a_value_the_page_does_not_know_is_not_recognised_and_no_all_clear_shows(
    sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch, script: str, params: dict[str, str]
) -> None:
    page = open_page(script, sample_warehouse, monkeypatch, **params)
    assert not page.exception
    (name,) = params
    assert any(f"`{name}`" in text and NOT_RECOGNISED in text for text in warnings(page))
    default = open_page(script, sample_warehouse, monkeypatch)
    assert metrics(page) == metrics(default)  # the default shown, as the warning says
    assert [s.value for s in page.success] == [s.value for s in default.success]


def test_a_filter_chosen_on_one_page_does_not_change_another_pages_figures(
    sample_warehouse: Path,
) -> None:
    app = AppTest.from_file(VIEWS.parent / "app.py", default_timeout=TIMEOUT)
    app.switch_page("views/stuck.py").run()
    stuck = metrics(app)
    owners = app.selectbox(key="agent").options[1:]  # after 'all'
    app.switch_page("views/promises.py").run()
    promises = metrics(app)
    app.switch_page("views/agents.py").run()
    other = next(agent for agent in app.selectbox(key="agent").options if agent in owners)
    app.selectbox(key="agent").select(other).run()
    assert app.selectbox(key="agent").value == other
    app.switch_page("views/stuck.py").run()
    assert not app.exception
    assert app.selectbox(key="agent").value == "all"
    assert metrics(app) == stuck
    app.switch_page("views/promises.py").run()
    assert app.selectbox(key="agent").value == "all"
    assert metrics(app) == promises
