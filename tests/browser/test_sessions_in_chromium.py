"""Sessions as a browser lives them, against a running `amicable serve`, signed in through the
real form: the session cookie is set by the server, HttpOnly and SameSite=Strict, so no script
on the page can read it (`document.cookie`); a shared link with a page and its parameters opens
that page once signed in; a CSV download's address answers only with the session's cookie, and
once signed out neither that address nor a copy of the cookie (in a fresh browser) gets in;
`/_stcore/metrics` is closed without a session. Skipped without chromium, as the other browser
tests (`conftest.py`).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.access import add_user
from tests.browser import harness
from tests.browser.signed_in_pages import DOWNLOAD, sign_in
from tests.conftest import SampleBuild

PASSWORD = "correct-horse-9"
COOKIE = "amicable_auth"


@pytest.fixture(scope="module")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    users = tmp_path_factory.mktemp("sessions") / "users.yml"
    add_user(users, "ada", "auditor", PASSWORD)
    add_user(users, "sam", "supervisor", PASSWORD)
    return users


@pytest.fixture(scope="module")
def served(sample_build: SampleBuild, users_file: Path) -> Iterator[tuple[str, object]]:
    """`amicable serve` with the users file, and a chromium."""
    with (
        harness.serve(sample_build.settings.warehouse, "--users", str(users_file)) as url,
        harness.chromium() as browser,
    ):
        yield url, browser


def _status(url: str, cookies: list[dict] | None = None) -> int:
    request = urllib.request.Request(url)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{c['name']}={c['value']}" for c in cookies))
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _jar(page) -> dict[str, dict]:
    """The browser's own cookie jar (Chrome DevTools Protocol), by name."""
    session = page.context.new_cdp_session(page)
    try:
        return {c["name"]: c for c in session.send("Network.getCookies")["cookies"]}
    finally:
        session.detach()


def test_the_session_cookie_is_httponly_and_strict_and_no_script_reads_it(
    served: tuple[str, object],
) -> None:
    url, browser = served
    page = sign_in(browser, url, "breaches", "ada", PASSWORD)
    try:
        auth = _jar(page)[COOKIE]
        assert auth["httpOnly"] is True and auth["sameSite"] == "Strict"
        assert auth["path"] == "/" and auth["secure"] is False, "plain HTTP here: not Secure"
        assert auth["expires"] > 0, "a Max-Age: the session's life, not the browser's"
        readable = page.evaluate("document.cookie")
        assert COOKIE not in readable and auth["value"] not in readable
    finally:
        page.context.close()


@pytest.mark.parametrize(
    ("link", "user", "opened", "title", "checked"),
    [
        (
            "flow?segment=B2C&sort=p90",
            "sam",
            "flow?segment=B2C&sort=p90",
            "Stage flow",
            ["B2C", "p90"],
        ),
        # the auditor's start page by its path: served at the root, no "Page not found" over it
        ("breaches?rule=US-CEASE", "ada", "?rule=US-CEASE", "Compliance breaches", []),
    ],
)
def test_a_shared_link_opens_its_page_with_its_parameters_after_sign_in(
    served: tuple[str, object], link: str, user: str, opened: str, title: str, checked: list
) -> None:
    url, browser = served
    page = sign_in(browser, url, link, user, PASSWORD)
    try:
        assert page.url == f"{url}/{opened}"
        assert page.locator("h1").first.inner_text().strip() == title
        for choice in checked:
            assert page.get_by_role("radio", name=choice, exact=True).is_checked()
        assert "Page not found" not in page.locator("body").inner_text()
        assert harness.errors(page) == []
    finally:
        page.context.close()


def test_downloads_and_the_cookie_are_worthless_after_sign_out(
    served: tuple[str, object],
) -> None:
    url, browser = served
    page = sign_in(browser, url, "breaches", "ada", PASSWORD)
    try:
        with page.expect_download(timeout=harness.TIMEOUT_MS) as download_info:
            page.locator(DOWNLOAD).first.click()
        csv = download_info.value.url
        assert "/media/" in csv
        cookies = page.context.cookies()
        (auth,) = [c for c in cookies if c["name"] == COOKIE]
        assert _status(csv, cookies) == 200
        assert _status(csv) == 403, "a download needs the session's cookie"
        assert _status(f"{url}/_stcore/metrics") == 403
        assert _status(f"{url}/_stcore/metrics", cookies) == 200

        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("textbox", name="Username").wait_for(timeout=harness.TIMEOUT_MS)
        page.wait_for_url(f"{url}/", timeout=harness.TIMEOUT_MS)
        assert COOKIE not in _jar(page), "signed out: the cookie is cleared"
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
