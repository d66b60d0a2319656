"""Figure builders of the finance pages (waterfall, bucket mix, recovery, cash): pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from dashboards import charts, queries

BUCKETS = ["current", "1-30", "31-60", "61-90", "91-120", "120+"]


def waterfall() -> queries.ArWaterfall:
    amounts = ["1000.00", "500.00", "50.00", "300.00", "20.00", "-5.00", "1165.00"]
    return queries.ArWaterfall(
        amounts={
            step: Decimal(amount)
            for step, amount in zip(queries.WATERFALL_STEPS, amounts, strict=True)
        },
        movement_rows=4,
        reporting_currency="EUR",
    )


def test_the_waterfall_draws_the_ends_absolute_and_reductions_negative() -> None:
    figure = charts.ar_waterfall_chart(waterfall(), title="t")

    (trace,) = figure.data
    assert list(trace.measure) == ["absolute", *["relative"] * 5, "absolute"]
    assert list(trace.y) == [1000.0, 500.0, -50.0, -300.0, 20.0, -5.0, 1165.0]
    assert sum(trace.y[:-1]) == trace.y[-1]
    assert [data[0] for data in trace.customdata] == list(queries.WATERFALL_STEPS)
    assert figure.layout.yaxis.title.text.startswith("Amount (EUR)")


def test_the_waterfall_steps_float_and_hover_shows_each_steps_signed_amount() -> None:
    figure = charts.ar_waterfall_chart(waterfall(), title="t")

    (trace,) = figure.data
    # opening 1000, +500 -> 1500, -50 -> 1450, -300 -> 1150, +20 -> 1170, -5 -> 1165
    assert list(trace.text) == [
        "1,000.00", "+500.00", "-50.00", "-300.00", "+20.00", "-5.00", "1,165.00",
    ]  # fmt: skip
    assert "%{text}" in trace.hovertemplate and "%{y" not in trace.hovertemplate
    low, high = figure.layout.yaxis.range
    assert 0 < low < 1000 and high > 1500  # the levels 1000..1500, not zero to the top
    assert (1500 - 1000) / (high - low) > 0.5  # the steps take most of the axis
    assert figure.layout.yaxis.title.text.startswith("Amount (EUR), axis from ")


def test_a_clicked_waterfall_step_gives_its_key_and_anything_else_none() -> None:
    assert charts.step_from_selection({"points": [{"customdata": ["cash_applied_amount"]}]}) == (
        "cash_applied_amount"
    )
    assert charts.step_from_selection({"points": [{"customdata": ["payments"]}]}) is None
    assert charts.step_from_selection({"points": [{"x": "Closing AR"}]}) is None
    assert charts.step_from_selection(None) is None


def test_the_bucket_mix_stacks_buckets_in_order_with_zero_for_absent_ones() -> None:
    history = pd.DataFrame(
        {
            "snapshot_date": [dt.date(2026, 9, 30), dt.date(2026, 10, 31), dt.date(2026, 10, 31)],
            "ageing_bucket": ["120+", "current", "1-30"],
            "open_amount_rc": [80.0, 100.0, 20.0],
            "open_items": [1, 2, 1],
        }
    )

    figure = charts.bucket_mix_chart(
        history, buckets=BUCKETS, reporting_currency="EUR", window=("2026-10-31", "2026-10-31")
    )

    assert [trace.name for trace in figure.data] == BUCKETS
    assert list(figure.data[0].x) == ["2026-09-30", "2026-10-31"]
    assert [list(trace.y) for trace in figure.data] == [
        [0.0, 100.0],
        [0.0, 20.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [0.0, 0.0],
        [80.0, 0.0],
    ]
    assert list(figure.data[0].marker.opacity) == [charts.FADED_OPACITY, 1.0]
    assert list(figure.data[5].customdata[0][:2]) == ["2026-09-30", "120+"]


def test_a_clicked_stacked_bar_gives_its_snapshot_and_bucket() -> None:
    selection = {"points": [{"customdata": ["2026-10-31", "61-90", 3]}]}

    assert charts.snapshot_bucket_from_selection(selection, BUCKETS) == ("2026-10-31", "61-90")
    assert (
        charts.snapshot_bucket_from_selection({"points": [{"customdata": ["x", "0-9"]}]}, BUCKETS)
        is None
    )


def curves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "placement_month": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"]),
            "month_on_book": [0, 1, 0],
            "recovery_rate": [0.1, 0.4, None],
            "cases_count": [3, 3, 1],
            "placed_amount_rc": [300.0, 300.0, 50.0],
        }
    )


def test_recovery_curves_draw_one_line_per_cohort_and_bring_out_the_chosen_one() -> None:
    figure = charts.recovery_curves_chart(curves(), selected_cohort="2026-02-01")

    assert [trace.name for trace in figure.data] == ["2026-01 (3 cases)", "2026-02 (1 cases)"]
    assert list(figure.data[0].y) == [0.1, 0.4]
    assert list(figure.data[1].y) == [None]
    assert figure.data[0].opacity == charts.FADED_OPACITY
    assert figure.data[1].opacity == 1.0
    assert figure.data[1].line.width > figure.data[0].line.width
    assert charts.cohort_from_selection({"points": [{"customdata": ["2026-01-01"]}]}) == (
        "2026-01-01"
    )


def test_a_long_months_on_book_axis_labels_every_few_months_without_crowding() -> None:
    short = charts.recovery_curves_chart(curves())
    long = pd.DataFrame(
        {
            "placement_month": pd.to_datetime(["2021-01-01"] * 71),
            "month_on_book": range(71),
            "recovery_rate": [0.5] * 71,
            "cases_count": [40] * 71,
            "placed_amount_rc": [1000.0] * 71,
        }
    )

    step = charts.recovery_curves_chart(long).layout.xaxis.dtick

    assert short.layout.xaxis.dtick == 1
    assert step > 1 and 70 / step <= charts.MAX_MONTH_TICKS


def test_liquidation_leaves_undefined_months_empty_and_fades_the_partial_one() -> None:
    liquidation = pd.DataFrame(
        {
            "calendar_month": pd.to_datetime(["2026-10-01", "2026-11-01"]),
            "liquidation_rate": [None, 0.25],
            "is_partial_period": [False, True],
        }
    )

    (trace,) = charts.liquidation_chart(liquidation).data

    assert list(trace.y) == [None, 0.25]
    assert list(trace.marker.opacity) == [1.0, charts.FADED_OPACITY]


def test_cash_bars_show_raw_and_weighted_for_both_horizons_per_agent_and_segment() -> None:
    by_agent = pd.DataFrame(
        {
            "agent_id": ["A1", "A2"],
            "segment": ["B2B", "B2C"],
            "remaining_7d_amount_rc": [100.0, 0.0],
            "expected_7d_amount_rc": [50.0, 0.0],
            "remaining_30d_amount_rc": [300.0, 40.0],
            "expected_30d_amount_rc": [150.0, 10.0],
        }
    )

    figure = charts.cash_expected_chart(by_agent, reporting_currency="EUR")

    assert [trace.name for trace in figure.data] == list(charts.CASH_SERIES.values())
    assert list(figure.data[3].y) == [150.0, 10.0]
    assert list(figure.data[0].x) == ["A1 · B2B", "A2 · B2C"]
    clicked = {"points": [{"customdata": list(figure.data[2].customdata[1])}]}
    assert charts.agent_segment_from_selection(clicked) == ("A2", "B2C")


@pytest.mark.parametrize("selection", [None, {}, {"points": []}, {"points": [{"x": 1}]}])
def test_an_empty_selection_chooses_nothing(selection: dict | None) -> None:
    assert charts.cohort_from_selection(selection) is None
    assert charts.agent_segment_from_selection(selection) is None
    assert charts.snapshot_bucket_from_selection(selection, BUCKETS) is None


def test_the_roll_rate_heatmap_orders_states_and_writes_each_share() -> None:
    matrix = pd.DataFrame(
        {
            "from_bucket": ["1-30", "1-30", "current", "current", "current"],
            "to_state": ["written_off", "paid", "paid", "1-30", "current"],
            "amount_rate": [0.4, 0.6, 0.2, 0.7, 0.1],
            "opening_amount_rc": [20.0, 30.0, 500.0, 1750.0, 250.0],
        }
    )

    figure = charts.roll_rate_heatmap(matrix, buckets=BUCKETS)

    heatmap = figure.data[0]
    assert list(heatmap.y) == ["current", "1-30"]
    assert list(heatmap.x) == ["current", "1-30", "paid", "written_off"]
    assert [list(row) for row in heatmap.z] == [[0.1, 0.7, 0.2, 0.0], [0.0, 0.0, 0.6, 0.4]]
    assert [list(row) for row in heatmap.text] == [
        ["10%", "70%", "20%", ""],
        ["", "", "60%", "40%"],
    ]


def test_a_roll_rate_share_that_is_unknown_is_drawn_blank_not_as_zero() -> None:
    matrix = pd.DataFrame(
        {
            "from_bucket": ["current", "current"],
            "to_state": ["current", "paid"],
            "amount_rate": [None, None],  # an amount without FX rate: the row's shares unknown
            "opening_amount_rc": [None, 40.0],
        }
    )

    heatmap = charts.roll_rate_heatmap(matrix, buckets=BUCKETS).data[0]

    assert [list(row) for row in heatmap.z] == [[None, None]]
    assert [list(row) for row in heatmap.text] == [["unknown", "unknown"]]
