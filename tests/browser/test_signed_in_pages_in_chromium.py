"""Signed in through the real form as each role, in one `amicable serve` and one chromium:

- finance, supervisor and auditor open every page of their sections by address with filter
  values (`signed_in_pages.CHECKS`: the pages with published figures at a filter cell, the
  others at the README's example address), each filter showing the value chosen, none "not
  recognised", and their KPIs and CSV exports equal to direct SQL on the marts;
- a page of another section says "Not allowed";
- an agent sees their own cases only: another agent's case (or queue) by address is not
  recognised and not shown, their own case's timeline is;
- an admin opens every page, any agent's case among them;
- a page's figures survive visiting other pages in the same session.

Skipped without chromium, as the other browser tests (`conftest.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboards.access import add_user
from dashboards.app import PAGES
from tests.browser import harness
from tests.browser.signed_in_pages import (
    expectations,
    heading,
    not_recognised,
    open_address,
    open_in_menu,
    shown_choice,
    shown_metrics,
    sign_in,
    verify_at,
)
from tests.conftest import SampleBuild

PASSWORD = "correct-horse-9"
USER_OF = {"finance": "fiona", "supervisor": "sam", "auditor": "ada"}
ALL_CLEAR = '[data-testid="stAlertContentSuccess"]'


def _nav(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


@pytest.fixture(scope="module")
def stuck_owners(sample_build: SampleBuild) -> tuple[str, str, str, str]:
    """An agent owning stuck cases now (`dim_cases`), one of those cases, and another agent's
    stuck case with that agent."""
    agent, own = sample_build.query(
        "select owner_agent_id, min(case_id) from marts.dim_cases"
        " where case_id in (select case_id from marts.fct_stuck_cases)"
        " group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    other, other_case = sample_build.query(
        "select owner_agent_id, min(case_id) from marts.dim_cases"
        " where case_id in (select case_id from marts.fct_stuck_cases) and owner_agent_id <> ?"
        " group by 1 order by 1 limit 1",
        [agent],
    )[0]
    return agent, own, other, other_case


@pytest.fixture(scope="module")
def served(
    sample_build: SampleBuild,
    tmp_path_factory: pytest.TempPathFactory,
    stuck_owners: tuple[str, str, str, str],
) -> Iterator[tuple[str, object]]:
    """`amicable serve` with a user of every role (the agent owning stuck cases), and a
    chromium."""
    users = tmp_path_factory.mktemp("signed_in") / "users.yml"
    for role, user in USER_OF.items():
        add_user(users, user, role, PASSWORD)
    add_user(users, "alex", "agent", PASSWORD, agent_id=stuck_owners[0])
    add_user(users, "root", "admin", PASSWORD)
    with (
        harness.serve(sample_build.settings.warehouse, "--users", str(users)) as url,
        harness.chromium() as browser,
    ):
        yield url, browser


def test_each_roles_pages_opened_by_address_show_the_marts_figures(
    sample_build: SampleBuild, served: tuple[str, object]
) -> None:
    url, browser = served
    checks = expectations(sample_build.settings.warehouse)
    assert {check.url_path or PAGES[0].url_path for check in checks} == {
        spec.url_path for spec in PAGES
    }, "every page is opened by its address"
    assert verify_at(browser, url, checks, PASSWORD, USER_OF) == []


def test_a_link_to_another_sections_page_says_not_allowed(served: tuple[str, object]) -> None:
    url, browser = served
    page = sign_in(browser, url, "flow?segment=B2C", USER_OF["finance"], PASSWORD)
    try:
        assert heading(page) == "Not allowed"
        said = page.locator('[data-testid="stAlertContentError"]').inner_text()
        assert "finance role may not open Stage flow (Supervisor pages)" in said
        assert "Stage flow" not in _nav(page) and "DSO and CEI" in _nav(page)
    finally:
        page.context.close()


def test_an_agent_sees_their_own_cases_and_not_another_agents(
    sample_build: SampleBuild,
    served: tuple[str, object],
    stuck_owners: tuple[str, str, str, str],
) -> None:
    url, browser = served
    agent, own, other, other_case = stuck_owners
    (stuck,) = sample_build.query(
        "select count(distinct case_id) from marts.fct_stuck_cases where agent_id = ?"
        " and case_id in (select case_id from marts.dim_cases where owner_agent_id = ?)",
        [agent, agent],
    )[0]
    page = sign_in(browser, url, f"stuck?agent={other}&case={other_case}", "alex", PASSWORD)
    try:
        assert heading(page) == "Stuck cases"
        refused = not_recognised(page)
        assert len(refused) == 2, refused
        assert f"'{other}' (address parameter agent)" in refused[0]
        assert f"'{other_case}' (address parameter case)" in refused[1]
        assert shown_choice(page, "agent") == agent and shown_choice(page, "case") is None
        assert shown_metrics(page)["Stuck cases"] == f"{stuck:,}"
        assert f"Case {other_case}: timeline" not in page.locator("body").inner_text()
        nav = _nav(page)
        assert "Stuck cases" in nav and "Case file" not in nav and "Data health" not in nav

        open_address(page, url, f"stuck?case={own}")
        assert not_recognised(page) == [] and shown_choice(page, "case") == own
        assert f"Case {own}: timeline" in page.locator("body").inner_text()
        assert harness.errors(page) == []

        open_address(page, url, f"casefile?case={other_case}")
        assert heading(page) == "Not allowed"
    finally:
        page.context.close()


def test_an_admin_opens_every_page_and_any_agents_case(
    served: tuple[str, object], stuck_owners: tuple[str, str, str, str]
) -> None:
    url, browser = served
    _, own, _, other_case = stuck_owners
    page = sign_in(browser, url, f"casefile?case={own}", "root", PASSWORD)
    try:
        assert heading(page) == "Case file" and shown_choice(page, "case") == own
        nav = _nav(page)
        assert [spec.title for spec in PAGES if spec.title not in nav] == []
        open_address(page, url, f"stuck?case={other_case}")
        assert not_recognised(page) == [] and harness.errors(page) == []
        assert f"Case {other_case}: timeline" in page.locator("body").inner_text()
    finally:
        page.context.close()


def test_a_pages_figures_survive_visiting_other_pages(
    sample_build: SampleBuild, served: tuple[str, object]
) -> None:
    """The issue's walk: Stuck cases, then the agent league table with an agent chosen (one
    owning fewer stuck cases than all: were the choice carried over, Stuck cases would show
    theirs only), then back to Stuck cases (and Broken promises): the same figures, the
    filters at 'all', nothing "not recognised", no all-clear."""
    url, browser = served
    (agent,) = sample_build.query(
        "select agent_id from marts.fct_stuck_cases where agent_id in"
        " (select agent_id from marts.fct_agent_daily)"
        " group by 1 order by count(distinct case_id), 1 limit 1"
    )[0]
    page = sign_in(browser, url, "stuck", USER_OF["supervisor"], PASSWORD)
    try:
        stuck = shown_metrics(page)
        assert stuck["Stuck cases"] != "0"
        open_in_menu(page, "Broken promises", "Broken promises without follow-up")
        promises = shown_metrics(page)
        open_in_menu(page, "Agent league table", "Agent league table")
        page.get_by_role("combobox", name="Agent to open").click()
        page.get_by_role("option", name=agent, exact=True).click()
        page.wait_for_url(f"**/agents?*agent={agent}*", timeout=harness.TIMEOUT_MS)
        page.get_by_text(f"Agent {agent}, ").first.wait_for(timeout=harness.TIMEOUT_MS)
        harness.settle(page)
        assert shown_choice(page, "agent") == agent

        open_in_menu(page, "Stuck cases", "Stuck cases")
        assert shown_choice(page, "agent") == "all" and not_recognised(page) == []
        assert shown_metrics(page) == stuck
        assert page.locator(ALL_CLEAR).count() == 0
        open_in_menu(page, "Broken promises", "Broken promises without follow-up")
        assert shown_choice(page, "agent") == "all" and not_recognised(page) == []
        assert shown_metrics(page) == promises
        assert harness.errors(page) == []
    finally:
        page.context.close()
