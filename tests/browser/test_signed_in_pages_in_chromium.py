"""Signed in through the real form as finance, supervisor and auditor, the pages that select
published figures (stage flow, recovery curves, late-payment claims, roll rates, top debtors,
compliance breaches, broken promises, channels, work queue) open by address with filter
values, and their KPIs and CSV exports equal direct SQL on the marts for that filter cell
(`signed_in_pages`). Skipped without chromium, as the other browser tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.access import add_user
from tests.browser import harness
from tests.browser.signed_in_pages import sign_in, verify
from tests.conftest import SampleBuild

pytestmark = pytest.mark.skipif(
    harness.CHROMIUM is None,
    reason="no chromium on PATH: `apt-get install chromium` runs these tests",
)

PASSWORD = "correct-horse-9"
USER_OF = {"finance": "fiona", "supervisor": "sam", "auditor": "ada"}


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    users = tmp_path_factory.mktemp("signed_in") / "users.yml"
    for role, user in USER_OF.items():
        add_user(users, user, role, PASSWORD)
    return users


def test_each_roles_pages_opened_by_address_show_the_marts_figures(
    sample_build: SampleBuild, users_file: Path
) -> None:
    assert verify(sample_build.settings.warehouse, users_file, PASSWORD, USER_OF) == []


def test_a_link_to_another_sections_page_says_not_allowed(
    sample_build: SampleBuild, users_file: Path
) -> None:
    with (
        harness.serve(sample_build.settings.warehouse, "--users", str(users_file)) as url,
        harness.chromium() as browser,
    ):
        page = sign_in(browser, url, "flow?segment=B2C", USER_OF["finance"], PASSWORD)
        try:
            assert page.locator("h1").first.inner_text().strip() == "Not allowed"
            said = page.locator('[data-testid="stAlertContentError"]').inner_text()
            assert "finance role may not open Stage flow (Supervisor pages)" in said
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Stage flow" not in nav and "DSO and CEI" in nav
        finally:
            page.context.close()
