"""The recovery curves page on the generated sample (`sample_build`): every figure is checked
against SQL run directly on the marts."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import queries
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import (
    SelectRow,
    Table,
    bound_keys,
    has_table,
    metrics,
    open_page,
    select_points,
    table,
    traces,
    url_of,
)

NARROWED_CURVES = """
with narrowed as (
    select * from marts.fct_recovery_cases
    where placement_month between ? and ? and (? = 'all' or segment = ?)
        and (? = 'all' or strategy = ?)
)
select placement_month, month_on_book,
    round(cast(sum(recovered_to_date_rc) as double) / nullif(sum(placed_amount_rc), 0), 6)
from narrowed
where placement_month in (
    select placement_month from narrowed group by 1 having count(distinct case_id) >= ?
)
group by 1, 2 order by 1, 2
"""
NARROWED_LIQUIDATION = """
select calendar_month, round(cast(sum(collected_in_month_rc) as double)
    / nullif(sum(open_placed_balance_at_start_rc), 0), 6)
from marts.fct_recovery_cases
where placement_month between ? and ? and (? = 'all' or segment = ?)
    and (? = 'all' or strategy = ?)
group by 1 having count(distinct case_id) >= ? order by 1
"""


def cohorts(sample: SampleBuild) -> list[dt.date]:
    rows = sample.query("select distinct placement_month from marts.fct_recovery_cases order by 1")
    return [row[0] for row in rows]


def curves_shown(page: AppTest) -> dict[tuple[str, int], float | None]:
    """(cohort, month on book) -> recovery rate, as the chart draws it (none when no cohort is
    large enough for a curve)."""
    shown = {}
    if any(info.value.startswith("No cohort here holds") for info in page.info):
        return shown
    for trace in traces(page, "recovery_chart"):
        cohort = trace["customdata"][0][0]
        for month, rate in zip(trace["x"], trace["y"], strict=True):
            shown[(cohort, int(month))] = rate
    return shown


def curves_expected(rows: list[tuple]) -> dict[tuple[str, int], float | None]:
    return {(month.isoformat(), on_book): rate for month, on_book, rate in rows}


def liquidation_shown(page: AppTest) -> list[float | None]:
    return traces(page, "liquidation_chart")[0]["y"]


@pytest.fixture
def page(sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page("recovery", sample_build.settings.warehouse, monkeypatch)


def test_the_curves_and_liquidation_are_the_recovery_marts(
    page: AppTest, sample_build: SampleBuild
) -> None:
    assert not page.exception
    cohort_rows = sample_build.query(
        "select placement_month, month_on_book, recovery_rate from marts.fct_recovery_cohorts"
        " where cases_count >= ?",
        [queries.MIN_COHORT_CASES],
    )
    assert curves_shown(page) == pytest.approx(curves_expected(cohort_rows))
    liquidation = sample_build.query(
        "select liquidation_rate from marts.fct_recovery_liquidation where cases_count >= ?"
        " order by calendar_month",
        [queries.MIN_COHORT_CASES],
    )
    assert liquidation_shown(page) == pytest.approx([row[0] for row in liquidation])
    (cases,) = sample_build.query("select count(distinct case_id) from marts.fct_recovery_cases")[0]
    assert metrics(page)["Cases placed"] == str(cases)
    assert "Placed (EUR)" in metrics(page)


def test_a_strategy_and_a_cohort_range_change_the_figures_to_the_mart_sums(
    page: AppTest, sample_build: SampleBuild
) -> None:
    months = cohorts(sample_build)
    before = curves_shown(page)
    first, last = months[1], months[-2]

    page.selectbox(key="first").set_value(first)
    page.selectbox(key="last").set_value(last)
    page.selectbox(key="strategy").set_value("soft").run()

    assert not page.exception
    parameters = [first, last, "all", "all", "soft", "soft"]
    expected = curves_expected(
        sample_build.query(NARROWED_CURVES, [*parameters, queries.MIN_COHORT_CASES])
    )
    assert curves_shown(page) == pytest.approx(expected)
    assert curves_shown(page) != before
    assert {cohort for cohort, _ in expected} < {cohort for cohort, _ in before}
    liquidation = sample_build.query(NARROWED_LIQUIDATION, [*parameters, queries.MIN_COHORT_CASES])
    assert liquidation_shown(page) == pytest.approx([row[1] for row in liquidation])


def test_clicking_a_curve_lists_the_cases_of_its_cohort_and_a_segment_narrows_them(
    page: AppTest, sample_build: SampleBuild
) -> None:
    cohort = cohorts(sample_build)[1]
    assert not has_table(page, "recovered_to_date_rc")

    select_points(page, "recovery_chart", [{"point_index": 0, "customdata": [cohort.isoformat()]}])

    assert not page.exception
    assert page.selectbox(key="cohort").value == cohort
    every_segment = table(page, "recovered_to_date_rc")
    expected = sample_build.query(
        "select case_id, recovered_to_date_rc from marts.fct_recovery_cases"
        " where placement_month = ? and is_latest_month_on_book",
        [cohort],
    )
    assert dict(
        zip(every_segment["case_id"], every_segment["recovered_to_date_rc"], strict=True)
    ) == (pytest.approx({case: float(amount) for case, amount in expected}))

    page.radio(key="segment").set_value("B2C").run()

    b2c = table(page, "recovered_to_date_rc")
    assert 0 < len(b2c) < len(every_segment)
    assert set(b2c["segment"]) == {"B2C"}
    assert set(b2c["case_id"]) < set(every_segment["case_id"])


def test_the_address_round_trips_the_filters(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    months = cohorts(sample_build)
    (cohort,) = sample_build.query(
        "select min(placement_month) from marts.fct_recovery_cases"
        " where segment = 'B2B' and strategy = 'intensive'"
    )[0]
    query = {
        "first": months[0].strftime("%Y-%m"),
        "last": cohort.strftime("%Y-%m"),
        "segment": "B2B",
        "strategy": "intensive",
        "cohort": cohort.strftime("%Y-%m"),
    }
    page = open_page("recovery", sample_build.settings.warehouse, monkeypatch, **query)

    assert not page.exception
    assert page.selectbox(key="first").value == months[0]
    assert page.selectbox(key="cohort").value == cohort
    assert page.selectbox(key="strategy").value == "intensive"
    parameters = [months[0], cohort, "B2B", "B2B", "intensive", "intensive"]
    expected = curves_expected(
        sample_build.query(NARROWED_CURVES, [*parameters, queries.MIN_COHORT_CASES])
    )
    assert curves_shown(page) == pytest.approx(expected)
    assert set(table(page, "recovered_to_date_rc")["strategy"]) == {"intensive"}
    assert bound_keys(page) == {*query, "currency", "case"}  # case: the case drill

    page.radio(key="segment").set_value("all").run()
    shared = open_page("recovery", sample_build.settings.warehouse, monkeypatch, **url_of(page))

    assert url_of(page) == {**query, "segment": "all", "currency": "EUR"}
    assert curves_shown(shared) == curves_shown(page)
    assert table(shared, "recovered_to_date_rc").equals(table(page, "recovered_to_date_rc"))


def test_a_filter_without_any_case_says_so(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    month, strategy = sample_build.query(
        "select placement_month, min(strategy) from marts.fct_recovery_cases"
        " group by 1 having count(distinct strategy) = 1 order by 1 limit 1"
    )[0]
    other = next(s for s in ("intensive", "soft", "standard") if s != strategy)
    query = {"first": month.strftime("%Y-%m"), "last": month.strftime("%Y-%m"), "strategy": other}

    page = open_page("recovery", sample_build.settings.warehouse, monkeypatch, **query)

    assert not page.exception
    assert page.info[0].value.startswith(f"No case placed from {month:%Y-%m} to {month:%Y-%m}")
    assert not page.get("plotly_chart")
    assert not page.metric


def test_a_reversed_cohort_range_is_explained(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    months = cohorts(sample_build)
    query = {"first": months[-1].strftime("%Y-%m"), "last": months[0].strftime("%Y-%m")}

    page = open_page("recovery", sample_build.settings.warehouse, monkeypatch, **query)

    assert not page.exception
    assert "on or before the last one" in page.warning[0].value
    assert not page.get("plotly_chart")


def test_a_warehouse_without_the_recovery_mart_explains_how_to_build_it(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = shutil.copy(sample_build.settings.warehouse, tmp_path / "older.duckdb")
    with duckdb.connect(str(older)) as connection:
        connection.execute("drop table marts.fct_recovery_cases")

    page = open_page("recovery", Path(older), monkeypatch)

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_recovery_cases" in page.main.caption[-1].value


def test_a_case_row_of_a_cohort_opens_the_cases_timeline(
    sample_build: SampleBuild,
    monkeypatch: pytest.MonkeyPatch,
    table_of: Table,
    select_row: SelectRow,
) -> None:
    (cohort,) = sample_build.query(
        "select placement_month from marts.fct_recovery_cases"
        " group by 1 order by count(distinct case_id) desc, 1 limit 1"
    )[0]
    month = cohort.strftime("%Y-%m")
    page = open_page("recovery", sample_build.settings.warehouse, monkeypatch, cohort=month)
    assert not has_table(page, "record_kind")
    cases = table_of(page, "recovery_cases")
    assert len(cases) > 1
    case = cases.iloc[1]["case_id"]

    select_row(page, "recovery_cases", 1)

    assert not page.exception
    assert page.selectbox(key="case").value == case
    assert page.query_params["case"] == case
    (records,) = sample_build.query(
        "select count(*) from marts.fct_case_timeline where case_id = ?", [case]
    )[0]
    timeline = table(page, "record_kind")
    assert len(timeline) == records > 0 and set(timeline["case_id"]) == {case}


def test_cohorts_too_small_for_a_curve_are_left_out_and_named(
    page: AppTest, sample_build: SampleBuild
) -> None:
    sizes = sample_build.query(
        "select placement_month, count(distinct case_id), max(month_on_book)"
        " from marts.fct_recovery_cases group by 1 order by 1"
    )
    small = [(month, cases) for month, cases, _ in sizes if cases < queries.MIN_COHORT_CASES]
    large = [row for row in sizes if row[1] >= queries.MIN_COHORT_CASES]
    oldest = max(sizes, key=lambda row: row[2])
    assert oldest[1] < queries.MIN_COHORT_CASES  # the sample's one-case cohort of 2021
    assert large

    assert not page.exception
    drawn = {trace["customdata"][0][0] for trace in traces(page, "recovery_chart")}
    assert drawn == {month.isoformat() for month, _, _ in large}
    longest = max(month for _, _, month in large)
    assert max(month for _, month in curves_shown(page)) == longest < oldest[2]
    caption = next(c.value for c in page.caption if "left out of the curves" in c.value)
    assert caption.startswith(
        f"{len(small)} cohorts of fewer than {queries.MIN_COHORT_CASES} cases "
        f"({sum(cases for _, cases in small)} cases)"
    )
    assert all(f"{month:%Y-%m} ({cases})" in caption for month, cases in small)
    (placed,) = sample_build.query("select count(distinct case_id) from marts.fct_recovery_cases")[
        0
    ]
    assert metrics(page)["Cases placed"] == str(placed)  # the figures still count them


def test_months_with_too_few_cases_behind_them_are_left_out_of_the_liquidation_chart(
    page: AppTest, sample_build: SampleBuild
) -> None:
    months = sample_build.query(
        "select calendar_month, cases_count from marts.fct_recovery_liquidation order by 1"
    )
    small = [month for month, cases in months if cases < queries.MIN_COHORT_CASES]
    large = [month for month, cases in months if cases >= queries.MIN_COHORT_CASES]
    assert small and large  # the sample's lone 2021 case runs alone for years

    assert not page.exception
    drawn = [dt.date.fromisoformat(str(x)[:10]) for x in traces(page, "liquidation_chart")[0]["x"]]
    assert drawn == large
    caption = next(c.value for c in page.caption if "left out of the liquidation" in c.value)
    assert caption.startswith(
        f"{len(small)} months ({small[0]:%Y-%m} to {small[-1]:%Y-%m}) are left out"
    )
