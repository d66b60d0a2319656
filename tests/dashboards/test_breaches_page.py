"""The compliance breaches page on the sample build: figures equal the marts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import queries
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import SelectRow, Table, metrics, table

PAGE = Path(__file__).resolve().parents[2] / "dashboards" / "views" / "breaches.py"


@pytest.fixture
def page(sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    return AppTest.from_file(PAGE, default_timeout=60)


def test_the_kpis_equal_the_summary_mart(page: AppTest, sample_build: SampleBuild) -> None:
    page.run()
    assert not page.exception
    breaches, contacts = sample_build.query(
        "select (select sum(breaches) from marts.fct_compliance_summary),"
        " (select sum(outbound_contacts) from (select distinct month, jurisdiction, agent_id,"
        " outbound_contacts from marts.fct_compliance_summary))"
    )[0]
    assert breaches > 0
    assert metrics(page)["Breaches"] == f"{breaches:,}"
    assert metrics(page)["Outbound contacts"] == f"{contacts:,}"
    assert metrics(page)["Per 1,000 contacts"] == f"{breaches * 1000 / contacts:.2f}"
    (listed,) = sample_build.query("select count(*) from marts.fct_compliance_breaches")[0]
    assert len(table(page, "evidence_ids")) == listed


def test_choosing_a_rule_narrows_figures_and_list(page: AppTest, sample_build: SampleBuild) -> None:
    page.run()
    rule, count = sample_build.query(
        "select rule_id, count(*) from marts.fct_compliance_breaches group by 1 order by 1 limit 1"
    )[0]
    page.selectbox(key="rule").set_value(rule).run()
    assert set(table(page, "evidence_ids")["rule_id"]) == {rule}
    assert len(table(page, "evidence_ids")) == count
    assert metrics(page)["Breaches"] == str(count)


def test_a_jurisdiction_narrows_figures_and_list(page: AppTest, sample_build: SampleBuild) -> None:
    jurisdiction, breaches, contacts = sample_build.query(
        "select jurisdiction, sum(breaches), (select sum(outbound_contacts) from (select distinct"
        " month, jurisdiction, agent_id, outbound_contacts from marts.fct_compliance_summary) c"
        " where c.jurisdiction = s.jurisdiction) from marts.fct_compliance_summary s"
        " group by 1 having sum(breaches) > 0 order by 1 limit 1"
    )[0]
    listed, verified = sample_build.query(
        "select count(*), count(*) filter (where not is_unverifiable)"
        " from marts.fct_compliance_breaches where jurisdiction = ?",
        [jurisdiction],
    )[0]
    page.query_params["jurisdiction"] = jurisdiction
    page.run()
    assert not page.exception
    assert metrics(page)["Breaches"] == f"{breaches:,}" == f"{verified:,}"
    assert metrics(page)["Outbound contacts"] == f"{contacts:,}"
    rows = table(page, "evidence_ids")
    assert set(rows["jurisdiction"]) == {jurisdiction}
    assert len(rows) == listed


def test_a_rules_rate_counts_only_the_contacts_it_governs(
    page: AppTest, sample_build: SampleBuild
) -> None:
    """US-HOURS governs US cases only: its contacts are those of US cases, fewer than all."""
    governed, everything = sample_build.query(
        "select (select sum(outbound_contacts) from marts.fct_compliance_summary"
        " where rule_id = 'US-HOURS'), (select sum(outbound_contacts) from (select distinct month,"
        " jurisdiction, agent_id, outbound_contacts from marts.fct_compliance_summary))"
    )[0]
    assert 0 < governed < everything
    page.run()
    page.selectbox(key="rule").set_value("US-HOURS").run()
    assert metrics(page)["Outbound contacts"] == f"{governed:,}"
    by_rule = table(page, "unverifiable_contacts").set_index("rule_id")["outbound_contacts"]
    assert by_rule["US-HOURS"] == governed
    assert by_rule["ANY-LITIGATION-NOTICE"] == everything


def test_a_shared_address_opens_a_breachs_case(page: AppTest, sample_build: SampleBuild) -> None:
    case, rule = sample_build.query(
        "select case_id, rule_id from marts.fct_compliance_breaches order by breach_id limit 1"
    )[0]
    page.query_params.update({"rule": rule, "case": case})
    page.run()
    assert not page.exception
    assert any(f"casefile?case={case}" in m.value for m in page.markdown)
    timeline = table(page, "record_kind")
    (records,) = sample_build.query(
        "select count(*) from marts.fct_case_timeline where case_id = ?", [case]
    )[0]
    assert len(timeline) == records > 0


def test_an_empty_month_range_says_so(page: AppTest, sample_build: SampleBuild) -> None:
    first, last = sample_build.query(
        "select strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m')"
        " from marts.fct_compliance_summary"
    )[0]
    assert first < last
    page.query_params.update({"from": last, "to": first})
    page.run()
    assert any("first month comes after the last" in w.value for w in page.warning)


def test_an_agents_row_narrows_the_breach_list_to_that_agent(
    page: AppTest, sample_build: SampleBuild, table_of: Table, select_row: SelectRow
) -> None:
    page.run()
    (total,) = sample_build.query("select count(*) from marts.fct_compliance_breaches")[0]
    by_agent = table_of(page, "breaches_by_agent").reset_index(drop=True)
    row = int(by_agent.index[by_agent["agent_id"].notna()][1])
    agent = by_agent.loc[row, "agent_id"]
    (listed,) = sample_build.query(
        "select count(*) from marts.fct_compliance_breaches where agent_id = ?", [agent]
    )[0]
    assert 0 < listed < total

    select_row(page, "breaches_by_agent", row)

    assert not page.exception
    assert page.selectbox(key="agent").value == agent
    assert page.query_params["agent"] == agent
    rows = table(page, "evidence_ids")
    assert set(rows["agent_id"]) == {agent} and len(rows) == listed

    select_row(page, "breaches_by_agent", None)

    assert page.selectbox(key="agent").value == "all"
    assert len(table(page, "evidence_ids")) == total


AGENT_CONTACTS = """
select agent_id, sum(breaches), sum(outbound_contacts) from marts.fct_compliance_agent_months
where agent_id is not null group by agent_id order by 3
"""


def test_a_rate_on_too_few_contacts_is_not_shown_and_the_rule_is_stated(
    page: AppTest, sample_build: SampleBuild, table_of: Table
) -> None:
    rows = sample_build.query(AGENT_CONTACTS)
    few = [row for row in rows if 0 < row[2] < queries.MIN_CONTACTS_FOR_RATE]
    enough = [row for row in rows if row[2] >= queries.MIN_CONTACTS_FOR_RATE]
    assert few and enough  # the sample has agents on both sides of the minimum
    page.run()

    by_agent = table_of(page, "breaches_by_agent").set_index("agent_id")
    shown = by_agent["breaches_per_1000_contacts"]
    for agent, breaches, contacts in enough:
        assert shown[agent] == pytest.approx(round(breaches * 1000 / contacts, 2))
    assert shown[[agent for agent, _, _ in few]].isna().all()
    stated = f"from {queries.MIN_CONTACTS_FOR_RATE} outbound contacts up"
    assert any(stated in caption.value for caption in page.caption)

    agent, _, contacts = few[0]
    page.selectbox(key="agent").set_value(agent).run()

    assert not page.exception
    assert metrics(page)["Outbound contacts"] == f"{contacts:,}"
    assert metrics(page)["Per 1,000 contacts"] == f"too few contacts ({contacts:,})"
