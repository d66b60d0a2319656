"""The stuck-cases page on hand-made `fct_stuck_cases` and `fct_case_timeline` marts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[2]
STUCK_PAGE = REPO / "dashboards" / "views" / "stuck.py"

# case, rule, stuck since, days, limit, agent, team
STUCK = [
    ("C1", "stage_sla", "2026-10-01", 50, 21, "A1", "T1"),
    ("C1", "no_contact", "2026-11-01", 19, 14, "A1", "T1"),
    ("C2", "no_contact", "2026-11-10", 10, 7, "A2", "T2"),
    ("C3", "broken_promise_no_follow_up", "2026-11-15", 5, 3, "A2", "T2"),
]
TIMELINE = [
    ("C1", "2026-09-01 09:00:00", "case_event", "E1", "stage_changed", "stage contact", 1),
    ("C1", "2026-09-02 10:00:00", "call", "K1", "call", "120 s", 2),
    ("C2", "2026-10-01 09:00:00", "case_event", "E9", "assigned", "to A2", 9),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_stuck_cases (case_id varchar, rule varchar, stuck_since date,"
            " days_elapsed integer, threshold_days integer, agent_id varchar, team varchar,"
            " stage varchar, strategy varchar, segment varchar, last_contact_at timestamp)"
        )
        for case, rule, since, days, limit, agent, team in STUCK:
            con.execute(
                "insert into marts.fct_stuck_cases values (?, ?, ?, ?, ?, ?, ?, 'contact',"
                " 'standard', 'B2C', null)",
                [case, rule, dt.date.fromisoformat(since), days, limit, agent, team],
            )
        con.execute(
            "update marts.fct_stuck_cases set strategy = 'soft', segment = 'B2B'"
            " where case_id = 'C3'"
        )
        con.execute(
            "create table marts.fct_case_timeline (case_id varchar, occurred_at timestamp,"
            " record_kind varchar, record_id varchar, activity varchar, direction varchar,"
            " outcome varchar, agent_id varchar, detail varchar, source_file varchar,"
            " source_row bigint)"
        )
        for case, at, kind, record, activity, detail, row in TIMELINE:
            con.execute(
                "insert into marts.fct_case_timeline values (?, ?, ?, ?, ?, null, null, null, ?,"
                " 'cases/case_events_x.jsonl', ?)",
                [case, at, kind, record, activity, detail, row],
            )
    return path


@pytest.fixture
def page(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    return AppTest.from_file(STUCK_PAGE, default_timeout=30)


def metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def test_the_queue_counts_cases_once_and_rules_apart(page: AppTest) -> None:
    page.run()
    assert not page.exception
    assert metrics(page) == {
        "Stuck cases": "3",
        "Stage SLA exceeded": "1",
        "No contact for too long": "2",
        "Broken promise, no follow-up": "1",
    }
    assert list(page.dataframe[0].value["case_id"]) == ["C1", "C1", "C2", "C3"]


def test_the_queue_shows_rules_and_stages_in_words_and_keeps_their_codes(page: AppTest) -> None:
    page.run()
    queue = page.dataframe[0]
    columns = json.loads(queue.proto.columns)
    shown = {
        column: {o["value"]: o["label"] for o in columns[column]["type_config"]["options"]}
        for column in ("rule", "stage", "strategy")
    }
    assert shown == {
        "rule": {
            "broken_promise_no_follow_up": "Broken promise, no follow-up",
            "no_contact": "No contact for too long",
            "stage_sla": "Stage SLA exceeded",
        },
        "stage": {"contact": "Contact"},
        "strategy": {"soft": "Soft", "standard": "Standard"},
    }
    assert columns["rule"]["label"] == "Rule"
    assert set(queue.value["rule"]) == {"stage_sla", "no_contact", "broken_promise_no_follow_up"}


def test_filters_by_rule_and_owner_narrow_the_queue(page: AppTest) -> None:
    page.run()
    page.selectbox(key="rule").set_value("no_contact").run()
    assert list(page.dataframe[0].value["case_id"]) == ["C1", "C2"]
    page.selectbox(key="agent").set_value("A2").run()
    assert list(page.dataframe[0].value["case_id"]) == ["C2"]


def test_team_strategy_and_segment_narrow_the_queue_and_its_counts(page: AppTest) -> None:
    page.run()
    page.selectbox(key="team").set_value("T2").run()
    assert list(page.dataframe[0].value["case_id"]) == ["C2", "C3"]
    page.selectbox(key="strategy").set_value("soft").run()
    assert list(page.dataframe[0].value["case_id"]) == ["C3"]
    assert metrics(page)["Stuck cases"] == "1"
    assert metrics(page)["No contact for too long"] == "0"


def test_a_shared_address_narrows_by_segment(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = AppTest.from_file(STUCK_PAGE, default_timeout=30)
    page.query_params["segment"] = "B2C"
    page.run()
    assert not page.exception
    assert list(page.dataframe[0].value["case_id"]) == ["C1", "C1", "C2"]
    assert metrics(page)["Broken promise, no follow-up"] == "0"


def test_opening_a_case_shows_its_timeline_with_source_rows(page: AppTest) -> None:
    page.run()
    page.selectbox(key="case").set_value("C1").run()
    assert not page.exception
    timeline = page.dataframe[1].value
    assert list(timeline["record_id"]) == ["E1", "K1"]
    assert list(timeline["source_row"]) == [1, 2]


def test_a_shared_address_opens_the_case(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(warehouse))
    page = AppTest.from_file(STUCK_PAGE, default_timeout=30)
    page.query_params.update({"rule": "all", "agent": "A2", "case": "C2"})
    page.run()
    assert not page.exception
    assert list(page.dataframe[1].value["record_id"]) == ["E9"]


def test_clicking_a_queue_row_opens_that_case_and_puts_it_in_the_url(
    page: AppTest, select_row: Callable[[AppTest, str, int | None], AppTest]
) -> None:
    page.run()
    row = list(page.dataframe[0].value["case_id"]).index("C2")

    select_row(page, "stuck_queue", row)

    assert not page.exception
    assert page.selectbox(key="case").value == "C2"
    assert page.query_params["case"] == "C2"
    assert list(page.dataframe[1].value["record_id"]) == ["E9"]

    select_row(page, "stuck_queue", None)

    assert page.selectbox(key="case").value is None
    assert len(page.dataframe) == 1


def test_the_queue_exports_to_csv(page: AppTest) -> None:
    page.run()

    assert page.download_button(key="stuck_queue_csv").label == "Download CSV"
