"""The expected cash page on the generated sample (`sample_build`), and on a copy of it with
more pending promises (the tiny sample holds a single one): every figure is checked against SQL
run directly on the mart."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import (
    bound_keys,
    has_table,
    metrics,
    open_page,
    select_points,
    table,
    url_of,
)

TOTALS = """
select
    coalesce(sum(remaining_amount_rc) filter (where is_due_within_7_days), 0),
    coalesce(sum(expected_amount_rc) filter (where is_due_within_7_days), 0),
    coalesce(sum(remaining_amount_rc), 0),
    coalesce(sum(expected_amount_rc), 0)
from marts.fct_cash_expected
where (? = 'all' or segment = ?) and (? = 'all' or agent_id = ?)
"""
KPI_LABELS = [
    "Promised, next 7 days (EUR)",
    "Weighted, next 7 days (EUR)",
    "Promised, next 30 days (EUR)",
    "Weighted, next 30 days (EUR)",
]
# Extra pending promises: id, agent, segment, days until due, still to come, basis, rate.
EXTRA_PROMISES = [
    ("PX-1", "AG001", "B2C", 3, "200.00", "agent_segment", "0.500000"),
    ("PX-2", "AG001", "B2B", 20, "1000.00", "all", "0.400000"),
    ("PX-3", "AG002", "B2C", 5, "80.00", None, None),
]


def expected_metrics(warehouse: Path, segment: str, agent: str) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(TOTALS, [segment, segment, agent, agent]).fetchone()
    return {label: f"{value:,.2f}" for label, value in zip(KPI_LABELS, row, strict=True)}


def shown_metrics(page: AppTest) -> dict[str, str]:
    return {label: value for label, value in metrics(page).items() if label in KPI_LABELS}


@pytest.fixture
def more_promises(sample_build: SampleBuild, tmp_path: Path) -> Path:
    """The sample warehouse with EXTRA_PROMISES added to marts.fct_cash_expected, on real
    cases of the sample (so their timelines can be opened)."""
    copy = Path(shutil.copy(sample_build.settings.warehouse, tmp_path / "warehouse.duckdb"))
    as_of = sample_build.settings.as_of
    with duckdb.connect(str(copy)) as connection:
        cases = [
            row[0]
            for row in connection.execute(
                "select case_id from marts.fct_case_timeline group by 1 order by 1 limit 3"
            ).fetchall()
        ]
        for (promise, agent, segment, days, remaining, basis, rate), case in zip(
            EXTRA_PROMISES, cases, strict=True
        ):
            connection.execute(
                "insert into marts.fct_cash_expected (promise_id, case_id, debtor_id, agent_id,"
                " segment, promised_date, days_until_due, is_due_within_7_days, currency,"
                " reporting_currency, remaining_amount_rc, kept_rate_basis, kept_rate_used,"
                " expected_amount_rc) values (?, ?, 'D-X', ?, ?, ? + ?::integer, ?, ? <= 7,"
                " 'EUR', 'EUR', ?, ?, ?, round(?::decimal(18, 2) * ?::decimal(9, 6), 2))",
                [promise, case, agent, segment, as_of, days, days, days, remaining, basis, rate,
                 remaining, rate],
            )  # fmt: skip
    return copy


def test_the_sample_figures_are_the_mart_sums_with_rate_and_basis(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = sample_build.settings.warehouse

    page = open_page("cash", warehouse, monkeypatch)

    assert not page.exception
    assert shown_metrics(page) == expected_metrics(warehouse, "all", "all")
    by_agent = table(page, "unweighted_promises")
    rows = sample_build.query(
        "select agent_id, segment, kept_rate_basis, kept_rate_used, count(*)"
        " from marts.fct_cash_expected group by all order by 1, 2"
    )
    labels = {"agent_segment": "agent in segment", "segment": "segment", "all": "overall"}
    assert [
        (r.agent_id, r.segment, r.kept_rate_basis, r.kept_rate_used, r.promises)
        for r in by_agent.sort_values(["agent_id", "segment"]).itertuples()
    ] == [
        (agent, segment, labels[basis], pytest.approx(float(rate)), count)
        for agent, segment, basis, rate, count in rows
    ]


def test_a_segment_without_promises_says_so(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    (b2c,) = sample_build.query(
        "select count(*) from marts.fct_cash_expected where segment = 'B2C'"
    )[0]
    assert b2c == 0  # the tiny sample's one pending promise is a B2B one

    page = open_page("cash", sample_build.settings.warehouse, monkeypatch, segment="B2C")

    assert not page.exception
    assert page.info[0].value == (
        "No pending promise falls due in the next 30 days for segment B2C and agent all."
    )
    assert not page.metric and not page.get("plotly_chart")


def test_segment_and_agent_filters_change_the_figures_to_the_mart_sums(
    more_promises: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("cash", more_promises, monkeypatch)
    every = shown_metrics(page)
    assert every == expected_metrics(more_promises, "all", "all")

    page.radio(key="segment").set_value("B2C").run()

    assert not page.exception
    assert shown_metrics(page) == expected_metrics(more_promises, "B2C", "all")
    assert shown_metrics(page) != every
    assert "1 promises have no measurable kept rate" in page.warning[0].value

    page.selectbox(key="agent").set_value("AG001").run()

    assert shown_metrics(page) == expected_metrics(more_promises, "B2C", "AG001")
    assert list(table(page, "promised_date")["promise_id"]) == ["PX-1"]
    assert not page.warning


def test_clicking_a_bar_narrows_to_its_agent_and_segment_down_to_a_case(
    more_promises: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("cash", more_promises, monkeypatch)
    every_promise = table(page, "promised_date")

    select_points(page, "cash_chart", [{"point_index": 0, "customdata": ["AG001", "B2B"]}])

    assert not page.exception
    assert (page.selectbox(key="agent").value, page.radio(key="segment").value) == ("AG001", "B2B")
    promises = table(page, "promised_date")
    assert list(promises["promise_id"]) == ["PX-2"]
    assert len(promises) < len(every_promise)
    assert not has_table(page, "source_row")

    case = promises["case_id"].iloc[0]
    page.selectbox(key="case").set_value(case).run()

    with duckdb.connect(str(more_promises), read_only=True) as connection:
        (records,) = connection.execute(
            "select count(*) from marts.fct_case_timeline where case_id = ?", [case]
        ).fetchone()
    assert len(table(page, "source_row")) == records > 0


def test_the_address_round_trips_the_filters(
    more_promises: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("cash", more_promises, monkeypatch, segment="B2C", agent="AG002")
    case = table(page, "promised_date")["case_id"].iloc[0]
    page.selectbox(key="case").set_value(case).run()

    assert not page.exception
    assert shown_metrics(page) == expected_metrics(more_promises, "B2C", "AG002")
    assert bound_keys(page) == {"segment", "agent", "case", "currency"}
    assert url_of(page) == {"segment": "B2C", "agent": "AG002", "case": case, "currency": "EUR"}

    shared = open_page("cash", more_promises, monkeypatch, **url_of(page))

    assert shown_metrics(shared) == shown_metrics(page)
    assert table(shared, "source_row").equals(table(page, "source_row"))


def test_a_warehouse_without_the_mart_explains_how_to_build_it(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = Path(shutil.copy(sample_build.settings.warehouse, tmp_path / "older.duckdb"))
    with duckdb.connect(str(older)) as connection:
        connection.execute("drop table marts.fct_cash_expected")

    page = open_page("cash", older, monkeypatch)

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_cash_expected" in page.main.caption[-1].value
