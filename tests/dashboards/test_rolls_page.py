"""The roll-rates page on the generated sample (`sample_build`): its matrix, recomputed here
from the ageing mart's two month-end snapshots and the written-off invoices alone, and its
projection, which carries every unit of the month end's open AR not written off somewhere."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import open_page, table

SETTLED = ("paid", "credited")


def written_off(sample: SampleBuild) -> dict[str, dt.date]:
    """The day each written-off invoice was written off (`marts.fct_ar_written_off`)."""
    rows = sample.query("select invoice_id, written_off_date from marts.fct_ar_written_off")
    return dict(rows)


def recomputed(sample: SampleBuild, start: str, end: str) -> dict[tuple[str, str], Decimal]:
    """Opening AR per (bucket at `start`, bucket at `end`, `written_off` or `settled`), invoice
    by invoice; an invoice written off by `start` is no longer followed, one written off
    after it and still open at `end` is `written_off`."""
    rows = sample.query(
        "select invoice_id, snapshot_date, ageing_bucket, open_amount_rc from marts.fct_ar_ageing"
        " where snapshot_date in (cast(? as date), cast(? as date))",
        [start, end],
    )
    at_start = {i: (b, a) for i, d, b, a in rows if d.isoformat() == start}
    at_end = {i: b for i, d, b, _ in rows if d.isoformat() == end}
    off = {i: day.isoformat() for i, day in written_off(sample).items()}
    cells: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for invoice, (bucket, amount) in at_start.items():
        if off.get(invoice, "9999") <= start:
            continue
        state = at_end.get(invoice, "settled")
        if state != "settled" and off.get(invoice, "9999") <= end:
            state = "written_off"
        cells[(bucket, state)] += amount
    return dict(cells)


def test_the_matrix_is_the_ageing_of_two_month_ends_and_each_row_adds_up_to_one(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("rolls", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    end = page.selectbox(key="period").value
    start = sample_build.query(
        "select max(snapshot_date) from marts.fct_ar_ageing where snapshot_date < ?"
        " and snapshot_date = last_day(snapshot_date)",
        [end],
    )[0][0]
    matrix = table(page, "count_rate")
    shown: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in matrix.itertuples():
        state = "settled" if row.to_state in SETTLED else row.to_state
        shown[(row.from_bucket, state)] += Decimal(str(row.opening_amount_rc))
    assert len(shown) > 4
    assert "written_off" in set(matrix["to_state"])  # the sample (seed 7) writes one off then
    assert shown == recomputed(sample_build, start.isoformat(), end.isoformat())
    for _, rates in matrix.groupby("from_bucket")["amount_rate"]:
        assert rates.sum() == pytest.approx(1, abs=0.001)


def test_the_projection_carries_the_month_ends_whole_open_ar(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("rolls", sample_build.settings.warehouse, monkeypatch, segment="B2B")

    assert not page.exception
    end = page.selectbox(key="period").value
    ((open_ar,),) = sample_build.query(
        "select sum(open_amount_rc) from marts.fct_ar_ageing as a"
        " where snapshot_date = ? and segment = 'B2B' and not exists (select w.invoice_id"
        " from marts.fct_ar_written_off as w where w.invoice_id = a.invoice_id"
        " and w.written_off_date <= a.snapshot_date)",
        [end],
    )
    projection = table(page, "projected_amount_rc")
    assert projection["projected_amount_rc"].sum() == pytest.approx(float(open_ar), abs=0.05)
    assert "paid" in set(projection["to_state"])
