"""The ageing waterfall page on the generated sample (`sample_build`): every figure is checked
against SQL run directly on the marts."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
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
    traces,
    url_of,
)
from tests.finance.reference import BUCKETS

MOVEMENT_COLUMNS = (
    "new_invoice_amount_rc",
    "credit_note_amount_rc",
    "cash_applied_amount_rc",
    "unapplied_credit_change_amount_rc",
    "fx_revaluation_amount_rc",
)


def snapshots(sample: SampleBuild) -> list[dt.date]:
    rows = sample.query("select distinct snapshot_date from marts.fct_ar_ageing order by 1 desc")
    return [row[0] for row in rows]


def ageing_total(sample: SampleBuild, snapshot: dt.date, segment: str) -> float:
    (total,) = sample.query(
        "select coalesce(sum(open_amount_rc), 0) from marts.fct_ar_ageing"
        " where snapshot_date = ? and (? = 'all' or segment = ?)",
        [snapshot, segment, segment],
    )[0]
    return float(total)


def movement_sums(sample: SampleBuild, first: dt.date, last: dt.date, segment: str) -> list[float]:
    sums = ", ".join(f"coalesce(sum({column}), 0)" for column in MOVEMENT_COLUMNS)
    row = sample.query(
        f"select {sums} from marts.fct_ar_movements where snapshot_date > ?"
        " and snapshot_date <= ? and (? = 'all' or segment = ?)",
        [first, last, segment, segment],
    )[0]
    new, credit, cash, unapplied, fx = (float(value) for value in row)
    return [new, -credit, -cash, unapplied, fx]


def waterfall_values(page: AppTest) -> list[float]:
    (trace,) = traces(page, "waterfall_chart")
    assert trace["measure"] == ["absolute", *["relative"] * 5, "absolute"]
    return [float(value) for value in trace["y"]]


@pytest.fixture
def page(sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return open_page("waterfall", sample_build.settings.warehouse, monkeypatch)


def test_the_ends_are_the_ageing_totals_and_the_steps_add_up_to_them(
    page: AppTest, sample_build: SampleBuild
) -> None:
    latest, previous = snapshots(sample_build)[:2]

    assert not page.exception
    values = waterfall_values(page)
    assert values[0] == pytest.approx(ageing_total(sample_build, previous, "all"), abs=0.005)
    assert values[-1] == pytest.approx(ageing_total(sample_build, latest, "all"), abs=0.005)
    assert values[0] + sum(values[1:-1]) == pytest.approx(values[-1], abs=0.005)
    assert values[1:-1] == pytest.approx(movement_sums(sample_build, previous, latest, "all"))
    closing = Decimal(str(ageing_total(sample_build, latest, "all")))
    assert metrics(page)["Closing AR (EUR)"] == f"{closing:,.2f}"


def test_a_longer_range_and_a_segment_change_the_figures_to_the_mart_sums(
    page: AppTest, sample_build: SampleBuild
) -> None:
    dates = snapshots(sample_build)
    first, last = dates[6], dates[2]
    before = waterfall_values(page)

    page.selectbox(key="from").set_value(first)
    page.selectbox(key="to").set_value(last)
    page.radio(key="segment").set_value("B2C").run()

    assert not page.exception
    values = waterfall_values(page)
    assert values != pytest.approx(before)
    assert values[0] == pytest.approx(ageing_total(sample_build, first, "B2C"), abs=0.005)
    assert values[-1] == pytest.approx(ageing_total(sample_build, last, "B2C"), abs=0.005)
    assert values[1:-1] == pytest.approx(movement_sums(sample_build, first, last, "B2C"))
    assert values[0] + sum(values[1:-1]) == pytest.approx(values[-1], abs=0.005)


def test_the_address_round_trips_the_filters(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    dates = snapshots(sample_build)
    query = {"from": dates[5].isoformat(), "to": dates[1].isoformat(), "segment": "B2B"}
    page = open_page("waterfall", sample_build.settings.warehouse, monkeypatch, **query)

    assert not page.exception
    assert page.selectbox(key="from").value == dates[5]
    assert page.selectbox(key="to").value == dates[1]
    assert page.radio(key="segment").value == "B2B"
    assert waterfall_values(page)[-1] == pytest.approx(
        ageing_total(sample_build, dates[1], "B2B"), abs=0.005
    )
    assert bound_keys(page) == {"from", "to", "segment", "step", "at", "bucket", "currency"}

    page.radio(key="segment").set_value("B2C")
    page.selectbox(key="step").set_value("Cash applied").run()
    shared = open_page("waterfall", sample_build.settings.warehouse, monkeypatch, **url_of(page))

    assert waterfall_values(shared) == waterfall_values(page)
    assert table(shared, "step_amount_rc").equals(table(page, "step_amount_rc"))


def test_choosing_a_step_lists_the_invoices_behind_it_and_a_segment_narrows_them(
    page: AppTest, sample_build: SampleBuild
) -> None:
    latest, previous = snapshots(sample_build)[:2]
    assert not has_table(page, "step_amount_rc")

    page.selectbox(key="step").set_value("Cash applied").run()

    every_segment = table(page, "step_amount_rc")
    expected = sample_build.query(
        "select invoice_id, sum(cash_applied_amount_rc) from marts.fct_ar_movements"
        " where snapshot_date > ? and snapshot_date <= ?"
        " group by 1 having sum(cash_applied_amount_rc) <> 0",
        [previous, latest],
    )
    assert set(every_segment["invoice_id"]) == {invoice for invoice, _ in expected}
    assert every_segment["step_amount_rc"].sum() == pytest.approx(
        float(sum(amount for _, amount in expected))
    )
    assert every_segment["step_amount_rc"].sum() == pytest.approx(-waterfall_values(page)[3])

    page.radio(key="segment").set_value("B2C").run()

    b2c = table(page, "step_amount_rc")
    assert 0 < len(b2c) < len(every_segment)
    assert set(b2c["invoice_id"]) < set(every_segment["invoice_id"])
    assert set(b2c["segment"]) == {"B2C"}


def test_clicking_a_step_of_the_waterfall_lists_its_invoices(
    page: AppTest, sample_build: SampleBuild
) -> None:
    select_points(
        page, "waterfall_chart", [{"point_index": 1, "customdata": ["new_invoice_amount"]}]
    )

    assert not page.exception
    assert page.selectbox(key="step").value == "New invoices"
    items = table(page, "step_amount_rc")
    assert items["new_invoice_amount_rc"].sum() == pytest.approx(waterfall_values(page)[1])


def test_a_step_without_any_invoice_says_so(page: AppTest, sample_build: SampleBuild) -> None:
    latest, previous = snapshots(sample_build)[:2]
    (moved,) = sample_build.query(
        "select count(*) from marts.fct_ar_movements where snapshot_date > ?"
        " and snapshot_date <= ? and unapplied_credit_change_amount_rc <> 0",
        [previous, latest],
    )[0]
    assert moved == 0  # the sample holds no over-payment in its last period

    page.selectbox(key="step").set_value("Unapplied credit").run()

    assert not page.exception
    assert any("0 invoices" in caption.value for caption in page.caption)
    assert not has_table(page, "step_amount_rc")


def test_the_bucket_mix_stacks_every_snapshot_and_a_click_lists_its_invoices(
    page: AppTest, sample_build: SampleBuild
) -> None:
    dates = snapshots(sample_build)
    mix = traces(page, "bucket_mix_chart")
    assert [trace["name"] for trace in mix] == list(BUCKETS)
    stacked = [sum(trace["y"][i] for trace in mix) for i in range(len(dates))]
    oldest_first = sorted(dates)
    assert stacked == pytest.approx([ageing_total(sample_build, d, "all") for d in oldest_first])

    at = oldest_first[-2]
    select_points(
        page, "bucket_mix_chart", [{"point_index": 0, "customdata": [at.isoformat(), "1-30", 0]}]
    )

    assert not page.exception
    assert page.selectbox(key="at").value == at
    assert page.selectbox(key="bucket").value == "1-30"
    expected = sample_build.query(
        "select invoice_id from marts.fct_ar_ageing where snapshot_date = ?"
        " and ageing_bucket = '1-30'",
        [at],
    )
    assert set(table(page, "days_past_due")["invoice_id"]) == {row[0] for row in expected}


def test_a_reversed_range_is_explained_instead_of_drawn(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    latest, previous = snapshots(sample_build)[:2]
    query = {"from": latest.isoformat(), "to": previous.isoformat()}
    page = open_page("waterfall", sample_build.settings.warehouse, monkeypatch, **query)

    assert not page.exception
    assert "before the *to* snapshot" in page.warning[0].value
    assert not page.get("plotly_chart")


def test_a_warehouse_without_the_movements_mart_explains_how_to_build_it(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = shutil.copy(sample_build.settings.warehouse, tmp_path / "older.duckdb")
    with duckdb.connect(str(older)) as connection:
        connection.execute("drop table marts.fct_ar_movements")

    page = open_page("waterfall", Path(older), monkeypatch)

    assert not page.exception
    assert page.info[0].value == "No warehouse yet: run `amicable build`."
    assert "fct_ar_movements" in page.main.caption[-1].value
    assert not page.metric
