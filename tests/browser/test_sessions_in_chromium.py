"""Sessions as a browser lives them, against a running `amicable serve`: signed in through the
real form, a CSV download's address answers only with the session's cookie, and once signed
out neither that address nor a copy of the cookie (in a fresh browser) gets in; the cookie is
SameSite=Strict (not HttpOnly: streamlit-authenticator sets it from JavaScript, README);
`/_stcore/metrics` is closed without a session. Skipped without chromium, as the other
browser tests.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboards.access import add_user
from tests.browser import harness
from tests.browser.signed_in_pages import DOWNLOAD, sign_in
from tests.conftest import SampleBuild

pytestmark = pytest.mark.skipif(
    harness.CHROMIUM is None,
    reason="no chromium on PATH: `apt-get install chromium` runs these tests",
)

PASSWORD = "correct-horse-9"


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    users = tmp_path_factory.mktemp("sessions") / "users.yml"
    add_user(users, "ada", "auditor", PASSWORD)
    return users


def _status(url: str, cookies: list[dict] | None = None) -> int:
    request = urllib.request.Request(url)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{c['name']}={c['value']}" for c in cookies))
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_downloads_and_the_cookie_are_worthless_after_sign_out(
    sample_build: SampleBuild, users_file: Path
) -> None:
    with (
        harness.serve(sample_build.settings.warehouse, "--users", str(users_file)) as url,
        harness.chromium() as browser,
    ):
        page = sign_in(browser, url, "breaches", "ada", PASSWORD)
        try:
            with page.expect_download(timeout=harness.TIMEOUT_MS) as download_info:
                page.locator(DOWNLOAD).first.click()
            csv = download_info.value.url
            assert "/media/" in csv
            cookies = page.context.cookies()
            (auth,) = [c for c in cookies if c["name"] == "amicable_auth"]
            assert auth["sameSite"] == "Strict" and not auth["httpOnly"]
            assert _status(csv, cookies) == 200
            assert _status(csv) == 403, "a download needs the session's cookie"
            assert _status(f"{url}/_stcore/metrics") == 403
            assert _status(f"{url}/_stcore/metrics", cookies) == 200

            page.get_by_role("button", name="Sign out").click()
            page.get_by_role("textbox", name="Username").wait_for(timeout=harness.TIMEOUT_MS)
            assert _status(csv, cookies) == 403, "signed out: the download is gone"

            copy = browser.new_context()
            copy.add_cookies([auth])
            stolen = copy.new_page()
            stolen.goto(f"{url}/breaches")
            stolen.get_by_role("textbox", name="Username").wait_for(timeout=harness.TIMEOUT_MS)
            assert stolen.locator('[data-testid="stSidebarNav"]').count() == 0
            assert "Your session has ended" in stolen.locator("body").inner_text()
            copy.close()
        finally:
            page.context.close()
