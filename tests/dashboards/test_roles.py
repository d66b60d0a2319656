"""Sign-in, role sections, personal-data masking and an agent's scope, through the real app
and pages on the sample warehouse (`sample_build`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards.access import MASK, OPEN_ENV, USERS_ENV, Viewer, add_user
from dashboards.signin import VIEWER_KEY
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import Downloads, has_table, table

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboards" / "app.py"
VIEWS = REPO / "dashboards" / "views"
AGEING_PAGE = REPO / "dashboards" / "views" / "ageing.py"
STUCK_PAGE = REPO / "dashboards" / "views" / "stuck.py"
TIMEOUT = 60
PASSWORD = "correct-horse-9"


@pytest.fixture
def signed_in_app(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    """The app against the sample, with a users file and no open access."""
    users = tmp_path / "users.yml"
    add_user(users, "fiona", "finance", PASSWORD, name="Fiona Finance")
    add_user(users, "sam", "supervisor", PASSWORD)
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv(USERS_ENV, str(users))
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _sign_in(app: AppTest, username: str, password: str) -> AppTest:
    app.run()
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    app.button[0].click().run()
    signed_in = bool(app.link_button)  # the browser is sent to set its cookie
    return app.run() if signed_in else app  # the run after it


def _page(
    path: Path, viewer: Viewer, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> AppTest:
    """A page as `viewer` sees it once signed in (the app keeps the viewer in the session)."""
    monkeypatch.delenv(OPEN_ENV, raising=False)
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    page = AppTest.from_file(path, default_timeout=TIMEOUT)
    page.session_state[VIEWER_KEY] = viewer
    return page


def test_nothing_shows_before_sign_in(signed_in_app: AppTest) -> None:
    signed_in_app.run()
    assert not signed_in_app.exception
    assert [t.label for t in signed_in_app.text_input] == ["Username", "Password"]
    assert not signed_in_app.metric and not signed_in_app.dataframe and not signed_in_app.title


def test_a_wrong_password_is_refused(signed_in_app: AppTest) -> None:
    app = _sign_in(signed_in_app, "fiona", "wrong-password")
    assert any("Wrong user name or password" in e.value for e in app.error)
    assert not app.metric


def test_finance_signs_in_to_the_ageing_page_with_names_masked(signed_in_app: AppTest) -> None:
    app = _sign_in(signed_in_app, "fiona", PASSWORD)
    assert not app.exception
    assert app.title[0].value == "Ledger ageing"
    assert app.session_state[VIEWER_KEY] == Viewer("fiona", "Fiona Finance", "finance")
    app.selectbox(key="bucket").select("120+").run()
    items = table(app, "debtor_name")
    assert len(items) > 0
    consumers = items["segment"] == "B2C"
    assert consumers.any() and set(items.loc[consumers, "debtor_name"]) == {MASK}
    assert MASK not in set(items.loc[~consumers, "debtor_name"])  # company names stay


def test_a_supervisor_sees_debtor_names(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(AGEING_PAGE, Viewer("u", "U", "admin"), sample_build, monkeypatch)
    page.query_params["bucket"] = "120+"
    page.run()
    items = table(page, "debtor_name")
    names = set(items["debtor_name"])
    expected = sample_build.query(
        "select distinct debtor_name from marts.fct_ar_ageing"
        " where is_latest_snapshot and ageing_bucket = '120+'"
    )
    assert names == {name for (name,) in expected} and MASK not in names


def test_a_role_cannot_open_another_sections_page(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(STUCK_PAGE, Viewer("f", "F", "finance"), sample_build, monkeypatch)
    page.run()
    assert any("cannot open Supervisor pages" in e.value for e in page.error)
    assert not page.dataframe and not page.metric


def test_a_page_opened_without_sign_in_shows_nothing(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(OPEN_ENV)
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    page = AppTest.from_file(STUCK_PAGE, default_timeout=TIMEOUT).run()
    assert any("Sign in" in w.value for w in page.warning)
    assert not page.dataframe


def _two_agents_with_stuck_cases(sample_build: SampleBuild) -> tuple[str, str]:
    rows = sample_build.query(
        "select d.owner_agent_id, count(distinct s.case_id) from marts.fct_stuck_cases s"
        " join marts.dim_cases d using (case_id) group by 1 order by 2 desc, 1"
    )
    assert len(rows) >= 2, "the sample has stuck cases owned by two agents"
    return rows[0][0], rows[1][0]


def test_an_agent_sees_only_their_own_stuck_cases(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, _ = _two_agents_with_stuck_cases(sample_build)
    page = _page(STUCK_PAGE, Viewer("a", "A", "agent", mine), sample_build, monkeypatch)
    page.run()
    assert not page.exception
    own = sample_build.query(
        "select distinct s.case_id from marts.fct_stuck_cases s join marts.dim_cases d"
        " using (case_id) where d.owner_agent_id = ?",
        [mine],
    )
    assert set(page.dataframe[0].value["case_id"]) == {case for (case,) in own}
    assert page.selectbox(key="agent").options == [mine]


def test_an_agent_cannot_reach_another_agents_case_by_editing_the_url(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = _two_agents_with_stuck_cases(sample_build)
    (their_case,) = sample_build.query(
        "select min(s.case_id) from marts.fct_stuck_cases s join marts.dim_cases d"
        " using (case_id) where d.owner_agent_id = ?",
        [theirs],
    )[0]
    page = _page(STUCK_PAGE, Viewer("a", "A", "agent", mine), sample_build, monkeypatch)
    page.query_params.update({"agent": theirs, "case": their_case})
    page.run()
    assert not page.exception
    assert page.selectbox(key="agent").value == mine
    assert their_case not in set(page.dataframe[0].value["case_id"])
    assert len(page.dataframe) == 1, "no timeline of another agent's case"


@pytest.mark.parametrize("script", ["stuck.py", "flow.py", "agents.py", "promises.py"])
def test_no_supervisor_page_opens_another_agents_case_from_the_url(
    script: str, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = _two_agents_with_stuck_cases(sample_build)
    (their_case,) = sample_build.query(
        "select min(case_id) from marts.dim_cases where owner_agent_id = ?", [theirs]
    )[0]
    path = REPO / "dashboards" / "views" / script
    page = _page(path, Viewer("a", "A", "agent", mine), sample_build, monkeypatch)
    page.query_params.update({"case": their_case, "agent": theirs})
    page.run()
    assert not page.exception
    shown = [h.value for h in page.subheader] + [m.value for m in page.markdown]
    assert not any(their_case in text for text in shown)
    for frame in page.dataframe:
        if "case_id" in frame.value.columns:
            assert their_case not in set(frame.value["case_id"])


def _own_stuck_case_with_others_records(sample_build: SampleBuild) -> tuple[str, str, int]:
    """A stuck case, its owner and its timeline's length, the timeline holding records that are
    not the owner's own (system events, letters, other agents' contacts)."""
    rows = sample_build.query(
        "select t.case_id, d.owner_agent_id, count(*) from marts.fct_case_timeline t"
        " join marts.dim_cases d using (case_id)"
        " where t.case_id in (select case_id from marts.fct_stuck_cases)"
        " group by 1, 2"
        " having count(*) filter (where t.agent_id is distinct from d.owner_agent_id) > 0"
        " order by 1 limit 1"
    )
    assert rows, "the sample has a stuck case whose timeline is not only its owner's"
    return rows[0]


def test_an_agent_reads_the_whole_timeline_of_their_own_case(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, owner, records = _own_stuck_case_with_others_records(sample_build)
    shown = {}
    for viewer in (Viewer("s", "S", "supervisor"), Viewer("a", "A", "agent", owner)):
        page = _page(STUCK_PAGE, viewer, sample_build, monkeypatch)
        page.query_params["case"] = case
        page.run()
        assert not page.exception
        shown[viewer.role] = table(page, "record_kind")
    assert len(shown["agent"]) == len(shown["supervisor"]) == records
    assert set(shown["agent"]["case_id"]) == {case}
    assert (shown["agent"]["agent_id"] != owner).any(), "records not the owner's are kept"


def test_an_agent_still_cannot_open_another_agents_case_timeline_by_url(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, owner, _ = _own_stuck_case_with_others_records(sample_build)
    (their_case,) = sample_build.query(
        "select min(case_id) from marts.fct_stuck_cases where case_id not in"
        " (select case_id from marts.dim_cases where owner_agent_id = ?)",
        [owner],
    )[0]
    page = _page(STUCK_PAGE, Viewer("a", "A", "agent", owner), sample_build, monkeypatch)
    page.query_params["case"] = their_case
    page.run()
    assert not page.exception
    assert page.selectbox(key="case").value is None
    assert not has_table(page, "record_kind"), "no timeline of another agent's case"
    assert their_case not in set(table(page, "stuck_since")["case_id"])


def _finance_drills(sample_build: SampleBuild) -> dict[str, dict[str, str]]:
    """Query strings opening every table of the waterfall and recovery pages that names
    debtors: a step and a bucket of the latest snapshot; a cohort and one of its cases."""
    (latest,) = sample_build.query("select max(snapshot_date) from marts.fct_ar_ageing")[0]
    (bucket,) = sample_build.query(
        "select ageing_bucket from marts.fct_ar_ageing where snapshot_date = ?"
        " group by 1 order by count(*) desc, 1 limit 1",
        [latest],
    )[0]
    cohort, case = sample_build.query(
        "select placement_month, min(case_id) from marts.fct_recovery_cases"
        " group by 1 order by count(distinct case_id) desc, 1 limit 1"
    )[0]
    return {
        "waterfall": {"step": "Opening AR", "at": latest.isoformat(), "bucket": bucket},
        "recovery": {"cohort": cohort.strftime("%Y-%m"), "case": case},
    }


@pytest.mark.parametrize("name", ["waterfall", "recovery"])
def test_finance_reads_the_waterfall_and_recovery_pages_with_debtor_names_masked(
    name: str,
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    downloads: Downloads,
) -> None:
    query = _finance_drills(sample_build)[name]
    names = {}
    for viewer in (Viewer("f", "F", "finance"), Viewer("x", "X", "admin")):
        page = _page(VIEWS / f"{name}.py", viewer, sample_build, monkeypatch)
        page.query_params.update(query)
        page.run()
        assert not page.exception
        with_names = [frame.value for frame in page.dataframe if "debtor_name" in frame.value]
        assert with_names, f"the {name} page's drill tables name debtors"
        names[viewer.role] = {
            (segment, name)
            for frame in with_names
            for segment, name in zip(frame["segment"], frame["debtor_name"], strict=True)
        }
        exported = [
            downloads.csv(page, button.key)
            for button in page.download_button
            if button.key.endswith("_csv") and "debtor_name" in downloads.csv(page, button.key)
        ]
        assert len(exported) == len(with_names), "each of those tables exports to CSV"
        names[f"{viewer.role} csv"] = {
            (segment, name)
            for csv in exported
            for segment, name in zip(csv["segment"], csv["debtor_name"], strict=True)
        }
    masked = {(segment, MASK if segment != "B2B" else name) for segment, name in names["admin"]}
    assert names["finance"] == names["finance csv"] == masked  # people masked, companies named
    assert {segment for segment, _ in masked} == {"B2B", "B2C"}
    assert MASK not in {name for _, name in names["admin"]} and len(names["admin"]) > 1
    assert names["admin csv"] == names["admin"]
    if name == "recovery":  # the case's timeline opens (it holds no personal data)
        assert has_table(page, "record_kind")


@pytest.mark.parametrize("name", ["waterfall", "recovery"])
def test_an_agent_cannot_open_the_waterfall_or_recovery_pages_even_by_url(
    name: str, sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _finance_drills(sample_build)[name]
    (owner,) = sample_build.query(
        "select owner_agent_id from marts.dim_cases where case_id = ?",
        [_finance_drills(sample_build)["recovery"]["case"]],
    )[0]
    agent = Viewer("a", "A", "agent", owner)  # even the owner of the case in the address
    page = _page(VIEWS / f"{name}.py", agent, sample_build, monkeypatch)
    page.query_params.update(query)
    page.run()
    assert not page.exception
    assert any("cannot open Finance pages" in error.value for error in page.error)
    assert not page.dataframe and not page.metric and not page.download_button
    assert not page.get("plotly_chart")
