"""The broken-promises page on the built sample, and on a copy of it whose broken promises were
never followed up (the sample follows every one of them up)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import SelectRow, Table, page_app

BROKEN_SQL = (
    "select promise_id, case_id, agent_id, team, strftime(due_month, '%Y-%m')"
    " from marts.fct_promises where outcome in ('broken', 'partially_kept') order by promise_id"
)
LIST_KEY = "unfollowed_promises"


def _metrics(page: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in page.metric}


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _kept_rates(sample_build: SampleBuild, dimension: str, value: str) -> tuple[str, str]:
    decided, kept, amount, kept_amount = sample_build.query(
        "select sum(promises_decided), sum(promises_kept), sum(promised_amount_rc),"
        " sum(kept_promised_amount_rc) from marts.fct_promise_kept_rates"
        " where dimension = ? and dimension_value = ?",
        [dimension, value],
    )[0]
    assert decided > 0
    return _share(kept / decided), _share(float(kept_amount) / float(amount))


@pytest.fixture
def broken(sample_build: SampleBuild) -> list[tuple]:
    rows = sample_build.query(BROKEN_SQL)
    assert len({agent for _, _, agent, _, _ in rows}) >= 2
    return rows


def test_the_sample_shows_its_kept_rates_and_its_labelled_unfollowed_promises(
    sample_warehouse: Path, sample_build: SampleBuild
) -> None:
    page = page_app("promises").run()

    assert not page.exception
    by_count, by_amount = _kept_rates(sample_build, "all", "all")
    assert _metrics(page)["Kept rate (count)"] == by_count
    assert _metrics(page)["Kept rate (amount)"] == by_amount
    labelled = [
        label
        for label in sample_build.labels("stuck_cases")
        if label["rule"] == "broken_promise_no_follow_up"
    ]
    assert labelled
    assert _metrics(page)["Without follow-up"] == str(len(labelled))


def test_every_unfollowed_promise_is_listed_and_an_agent_filter_narrows_it(
    unfollowed_warehouse: Path, sample_build: SampleBuild, broken: list[tuple], table_of: Table
) -> None:
    page = page_app("promises").run()

    assert not page.exception
    assert sorted(table_of(page, LIST_KEY)["promise_id"]) == [row[0] for row in broken]
    assert _metrics(page)["Without follow-up"] == str(len(broken))

    agent = broken[0][2]
    page.selectbox(key="agent").set_value(agent).run()

    listed = table_of(page, LIST_KEY)
    assert sorted(listed["promise_id"]) == [row[0] for row in broken if row[2] == agent]
    assert len(listed) < len(broken)
    by_count, by_amount = _kept_rates(sample_build, "agent", agent)
    assert (_metrics(page)["Kept rate (count)"], _metrics(page)["Kept rate (amount)"]) == (
        by_count,
        by_amount,
    )


def test_a_promise_row_opens_its_case_timeline(
    unfollowed_warehouse: Path, table_of: Table, select_row: SelectRow
) -> None:
    page = page_app("promises").run()
    case = table_of(page, LIST_KEY).iloc[1]["case_id"]

    select_row(page, LIST_KEY, 1)

    assert not page.exception
    assert page.selectbox(key="case").value == case
    assert page.query_params["case"] == case
    with duckdb.connect(str(unfollowed_warehouse), read_only=True) as con:
        records = con.execute(
            "select record_id from marts.fct_case_timeline where case_id = ?", [case]
        ).fetchall()
    assert records
    assert sorted(table_of(page, "column:record_id")["record_id"]) == sorted(
        record for (record,) in records
    )


def test_a_shared_address_opens_the_same_view(
    unfollowed_warehouse: Path, broken: list[tuple], table_of: Table
) -> None:
    promise, case, _, team, due = broken[0]
    page = page_app("promises")
    page.query_params.update({"team": team, "due": due, "case": case})

    page.run()

    assert not page.exception
    assert (page.selectbox(key="team").value, page.selectbox(key="due").value) == (team, due)
    expected = [row[0] for row in broken if row[3] == team and row[4] == due]
    assert sorted(table_of(page, LIST_KEY)["promise_id"]) == expected
    assert promise in expected
    assert page.selectbox(key="case").value == case
    assert any(f"Kept rates of team {team}," in caption.value for caption in page.caption)


def test_a_filter_without_unfollowed_promises_says_so(
    unfollowed_warehouse: Path, broken: list[tuple]
) -> None:
    agent = broken[0][2]
    other_month = next(row[4] for row in broken if row[2] != agent and row[4] != broken[0][4])
    page = page_app("promises")
    page.query_params.update({"agent": agent, "due": other_month})

    page.run()

    assert not page.exception
    assert _metrics(page)["Without follow-up"] == "0"
    assert "No broken or partially kept promise lacks a follow-up" in page.success[0].value


def test_a_warehouse_without_marts_explains_what_to_do(empty_warehouse: Path) -> None:
    page = page_app("promises").run()

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_promises" in page.caption[-1].value
