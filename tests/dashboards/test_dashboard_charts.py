from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards import charts

BUCKETS = ["current", "1-30", "31-60", "61-90", "91-120", "120+"]


def test_bars_follow_bucket_order_whatever_the_row_order() -> None:
    shuffled = pd.DataFrame(
        {
            "ageing_bucket": ["120+", "current", "31-60", "1-30"],
            "open_items": [1, 2, 1, 2],
            "open_amount_rc": [80.25, 1115.0, 2000.0, 570.5],
        }
    )

    figure = charts.ageing_bar_chart(shuffled, buckets=BUCKETS, reporting_currency="EUR")

    assert isinstance(figure, go.Figure)
    assert list(figure.data[0].x) == BUCKETS
    assert list(figure.data[0].y) == [1115.0, 570.5, 2000.0, 0.0, 0.0, 80.25]
    assert list(figure.layout.xaxis.categoryarray) == BUCKETS
    assert figure.layout.yaxis.title.text == "Open amount (EUR)"
    assert "by due date" in figure.layout.title.text


def test_selected_bucket_is_drawn_in_its_own_colour() -> None:
    frame = pd.DataFrame({"ageing_bucket": BUCKETS, "open_amount_rc": [1.0] * 6})

    figure = charts.ageing_bar_chart(
        frame, buckets=BUCKETS, reporting_currency="EUR", selected_bucket="61-90"
    )

    colours = list(figure.data[0].marker.color)
    assert colours[3] == charts.SELECTED_COLOUR
    assert colours.count(charts.BAR_COLOUR) == 5


def test_unexpected_bucket_label_is_kept_after_the_known_ones() -> None:
    frame = pd.DataFrame({"ageing_bucket": ["odd", "1-30"], "open_amount_rc": [5.0, 7.0]})

    figure = charts.ageing_bar_chart(frame, buckets=BUCKETS, reporting_currency=None)

    assert list(figure.data[0].x) == [*BUCKETS, "odd"]
    assert sum(figure.data[0].y) == 12.0


def test_clicked_bar_gives_its_bucket() -> None:
    selection = {"points": [{"x": "31-60", "y": 2000.0, "point_index": 2}]}

    assert charts.bucket_from_selection(selection, BUCKETS) == "31-60"


def test_clicked_bar_without_x_falls_back_to_custom_data() -> None:
    selection = {"points": [{"customdata": ["91-120", 1]}]}

    assert charts.bucket_from_selection(selection, BUCKETS) == "91-120"


def test_empty_or_foreign_selection_gives_no_bucket() -> None:
    assert charts.bucket_from_selection(None, BUCKETS) is None
    assert charts.bucket_from_selection({"points": []}, BUCKETS) is None
    assert charts.bucket_from_selection({"points": [{"x": "0-10"}]}, BUCKETS) is None
