"""Query functions of the finance pages (waterfall, recovery, cash) on the generated sample."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboards import queries
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.finance.raw_sources import read_ledger
from tests.finance.reference import BUCKETS, bucket, open_items


def warehouse(sample: SampleBuild) -> Path:
    return sample.settings.warehouse


def test_the_ageing_on_any_date_equals_the_ageing_mart_on_every_snapshot_date(
    sample_build: SampleBuild,
) -> None:
    """The month-end page reads the same query as any date: on every snapshot date and for
    every segment it holds exactly the open items and amounts of marts.fct_ar_ageing."""
    mart: dict[tuple[dt.date, str, str], tuple[int, float]] = {}
    for snapshot, segment, label, items, amount in sample_build.query(
        "select snapshot_date, segment, ageing_bucket, count(*), sum(open_amount_rc)"
        " from marts.fct_ar_ageing group by all"
    ):
        for chosen in (segment, "all"):
            count, total = mart.get((snapshot, chosen, label), (0, 0.0))
            mart[(snapshot, chosen, label)] = (count + items, total + float(amount))
    dates = queries.snapshot_dates(warehouse(sample_build))
    assert len(dates) > 12
    for snapshot in dates:
        for segment in queries.SEGMENTS:
            frame = queries.ageing_by_bucket(warehouse(sample_build), snapshot, segment)
            assert list(frame["ageing_bucket"]) == list(BUCKETS)
            for row in frame.itertuples():
                items, amount = mart.get((snapshot, segment, row.ageing_bucket), (0, 0.0))
                assert (row.open_items, row.open_amount_rc) == (items, pytest.approx(amount)), (
                    snapshot,
                    segment,
                    row.ageing_bucket,
                )
            if frame["open_items"].sum():
                assert frame["share_of_open"].sum() == pytest.approx(1.0)


def test_the_ageing_on_any_date_shows_no_partial_sum_when_a_rate_is_missing(
    sample_build: SampleBuild, tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse(sample_build), copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from marts.dim_fx_rate_periods where currency <> 'EUR'")
    frame = queries.ageing_by_bucket(copy, SAMPLE_AS_OF, "all")
    assert frame["open_amount_rc"].isna().any(), "a bucket holding a foreign item has no total"
    assert frame["share_of_open"].isna().all()


@pytest.mark.parametrize(
    "day",
    [SAMPLE_AS_OF - dt.timedelta(days=6), dt.date(2026, 2, 14), dt.date(2025, 12, 2)],
    ids=str,
)
def test_the_ageing_between_snapshots_equals_the_raw_recomputation(
    sample_build: SampleBuild, day: dt.date
) -> None:
    expected: dict[str, tuple[int, float]] = {}
    for item in open_items(read_ledger(sample_build.settings.landing), day, "EUR"):
        count, amount = expected.get(bucket(item.days_past_due), (0, 0.0))
        expected[bucket(item.days_past_due)] = (count + 1, amount + float(item.open_amount_rc))

    frame = queries.ageing_by_bucket(warehouse(sample_build), day, "all")

    assert list(frame["ageing_bucket"]) == list(BUCKETS)
    actual = {
        row.ageing_bucket: (row.open_items, float(row.open_amount_rc))
        for row in frame.itertuples()
        if row.open_items
    }
    assert actual.keys() == expected.keys()
    for label, (count, amount) in expected.items():
        assert actual[label][0] == count, label
        assert actual[label][1] == pytest.approx(amount, abs=0.005), label
    assert sum(count for count, _ in expected.values()) > 20


def test_the_waterfall_of_every_pair_of_snapshots_goes_from_one_ageing_total_to_the_other(
    sample_build: SampleBuild,
) -> None:
    totals = dict(
        sample_build.query(
            "select snapshot_date, sum(open_amount_rc) from marts.fct_ar_ageing group by 1"
        )
    )
    dates = sorted(totals)
    for first, last in [(dates[0], dates[-1]), (dates[3], dates[4]), (dates[-2], dates[-1])]:
        waterfall = queries.ar_waterfall(warehouse(sample_build), first, last, "all")
        movements = sum(waterfall.signed_change(step) for step in queries.WATERFALL_STEPS[1:-1])
        assert waterfall.amounts["opening_amount"] == totals[first]
        assert waterfall.amounts["closing_amount"] == totals[last]
        assert waterfall.amounts["opening_amount"] + movements == totals[last]
        assert waterfall.reporting_currency == "EUR"


def test_the_segments_of_a_waterfall_add_up_to_all(sample_build: SampleBuild) -> None:
    dates = sorted(
        row[0]
        for row in sample_build.query("select distinct snapshot_date from marts.fct_ar_ageing")
    )
    first, last = dates[-4], dates[-1]
    by_segment = {
        segment: queries.ar_waterfall(warehouse(sample_build), first, last, segment)
        for segment in queries.SEGMENTS
    }
    for step in queries.WATERFALL_STEPS:
        parts = by_segment["B2B"].amounts[step] + by_segment["B2C"].amounts[step]
        assert parts == by_segment["all"].amounts[step]


def test_waterfall_queries_refuse_a_reversed_range_or_an_unknown_step_before_any_sql(
    tmp_path: Path,
) -> None:
    absent = tmp_path / "absent.duckdb"  # no SQL runs: a query would raise WarehouseNotBuilt
    day = dt.date(2026, 10, 31)
    with pytest.raises(ValueError, match="must come before"):
        queries.ar_waterfall(absent, day, day, "all")
    with pytest.raises(ValueError, match="step must be one of"):
        queries.ar_movement_items(absent, day - dt.timedelta(days=31), day, "all", "payments")


def test_unnarrowed_recovery_curves_are_the_cohorts_mart(sample_build: SampleBuild) -> None:
    months = queries.recovery_cohort_months(warehouse(sample_build))
    rates = queries.recovery_rates(warehouse(sample_build), months[0], months[-1], "all", "all")
    curves = rates.curves

    mart = sample_build.query(
        "select placement_month, month_on_book, cases_count, recovery_rate"
        " from marts.fct_recovery_cohorts order by 1, 2"
    )
    assert len(curves) == len(mart)
    for row, (month, on_book, cases, rate) in zip(curves.itertuples(), mart, strict=True):
        assert (row.placement_month.date(), row.month_on_book, row.cases_count) == (
            month,
            on_book,
            cases,
        )
        assert row.recovery_rate == pytest.approx(rate)


def test_unnarrowed_liquidation_is_the_liquidation_mart(sample_build: SampleBuild) -> None:
    months = queries.recovery_cohort_months(warehouse(sample_build))
    rates = queries.recovery_rates(warehouse(sample_build), months[0], months[-1], "all", "all")
    frame = rates.liquidation

    mart = sample_build.query(
        "select calendar_month, liquidation_rate from marts.fct_recovery_liquidation order by 1"
    )
    assert [month.date() for month in frame["calendar_month"]] == [row[0] for row in mart]
    assert "recovery_rate" not in frame.columns and "liquidation_rate" not in rates.curves.columns
    for ours, (_, theirs) in zip(frame["liquidation_rate"], mart, strict=True):
        if theirs is None:
            assert pd.isna(ours)
        else:
            assert ours == pytest.approx(theirs)


def test_a_strategy_narrows_the_cases_behind_a_cohort(sample_build: SampleBuild) -> None:
    months = queries.recovery_cohort_months(warehouse(sample_build))
    everyone = queries.recovery_cohort_cases(warehouse(sample_build), months[1], "all", "all")
    strategy = everyone["strategy"].mode()[0]

    narrowed = queries.recovery_cohort_cases(warehouse(sample_build), months[1], "all", strategy)

    assert 0 < len(narrowed) < len(everyone)
    assert set(narrowed["strategy"]) == {strategy}
    assert set(narrowed["case_id"]) < set(everyone["case_id"])


def test_cash_by_agent_sums_to_the_expected_cash_mart(sample_build: SampleBuild) -> None:
    by_agent = queries.cash_expected_by_agent(warehouse(sample_build), "all", "all")
    (raw_30, weighted_30, raw_7, weighted_7, promises) = sample_build.query(
        "select sum(remaining_amount_rc), sum(expected_amount_rc),"
        " coalesce(sum(remaining_amount_rc) filter (where is_due_within_7_days), 0),"
        " coalesce(sum(expected_amount_rc) filter (where is_due_within_7_days), 0), count(*)"
        " from marts.fct_cash_expected"
    )[0]

    assert by_agent["remaining_30d_amount_rc"].sum() == pytest.approx(float(raw_30))
    assert by_agent["expected_30d_amount_rc"].sum() == pytest.approx(float(weighted_30))
    assert by_agent["remaining_7d_amount_rc"].sum() == pytest.approx(float(raw_7))
    assert by_agent["expected_7d_amount_rc"].sum() == pytest.approx(float(weighted_7))
    assert by_agent["promises"].sum() == promises
    promises_frame = queries.cash_expected_promises(warehouse(sample_build), "all", "all")
    assert len(promises_frame) == promises
