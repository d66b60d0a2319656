from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboards import queries
from tests.finance.reference import BUCKETS

LATEST = dt.date(2026, 11, 20)
MONTH_END = dt.date(2026, 10, 31)


def test_snapshot_dates_are_listed_newest_first(ageing_warehouse: Path) -> None:
    assert queries.snapshot_dates(ageing_warehouse) == [LATEST, MONTH_END]


def test_kpis_sum_every_segment_at_the_latest_snapshot(ageing_warehouse: Path) -> None:
    kpis = queries.ageing_kpis(ageing_warehouse, LATEST, "all")

    assert kpis.total_open_rc == Decimal("4065.75")
    assert kpis.overdue_open_rc == Decimal("2950.75")
    assert kpis.overdue_share == pytest.approx(2950.75 / 4065.75)
    assert kpis.open_items == 7
    assert kpis.reporting_currency == "EUR"


def test_kpis_keep_to_the_chosen_segment_and_snapshot(ageing_warehouse: Path) -> None:
    b2b = queries.ageing_kpis(ageing_warehouse, LATEST, "B2B")
    b2c = queries.ageing_kpis(ageing_warehouse, LATEST, "B2C")
    month_end = queries.ageing_kpis(ageing_warehouse, MONTH_END, "all")

    assert (b2b.total_open_rc, b2b.open_items) == (Decimal("3750.00"), 4)
    assert (b2c.total_open_rc, b2c.open_items) == (Decimal("315.75"), 3)
    assert (month_end.total_open_rc, month_end.open_items) == (Decimal("2900.25"), 5)


def test_an_item_without_an_fx_rate_leaves_the_totals_undefined_not_understated(
    ageing_warehouse: Path,
) -> None:
    """A row-level defect (no rate) must not make the ledger look smaller than it is."""
    with duckdb.connect(str(ageing_warehouse)) as con:
        con.execute(
            "update marts.fct_ar_ageing set open_amount_rc = null"
            " where snapshot_date = ? and ageing_bucket = '1-30'",
            [LATEST],
        )
        con.execute("delete from marts.dim_fx_rate_periods where currency = 'USD'")
    kpis = queries.ageing_kpis(ageing_warehouse, LATEST, "all")
    assert (kpis.total_open_rc, kpis.overdue_open_rc, kpis.overdue_share) == (None, None, None)
    assert (kpis.open_items, kpis.items_without_rate) == (7, 2)
    # INV-2 (USD, 1-30) has no rate on the date: its bucket has no total, no share is shown
    frame = queries.ageing_by_bucket(ageing_warehouse, LATEST, "all").set_index("ageing_bucket")
    assert frame["open_amount_rc"].isna().tolist() == [False, True, False, False, False, False]
    assert frame["share_of_open"].isna().all()


def test_overdue_share_is_undefined_when_nothing_is_open(ageing_warehouse: Path) -> None:
    kpis = queries.ageing_kpis(ageing_warehouse, dt.date(2020, 1, 31), "all")

    assert kpis.total_open_rc == Decimal("0")
    assert kpis.overdue_share is None
    assert kpis.open_items == 0


def test_by_bucket_lists_every_bucket_in_order_with_zero_for_empty_ones(
    ageing_warehouse: Path,
) -> None:
    frame = queries.ageing_by_bucket(ageing_warehouse, LATEST, "all")

    assert list(frame["ageing_bucket"]) == list(BUCKETS)
    assert list(frame["open_amount_rc"]) == pytest.approx([1115.0, 570.5, 2000.0, 0, 300.0, 80.25])
    assert list(frame["open_items"]) == [2, 2, 1, 0, 1, 1]
    assert frame["open_amount_rc"].sum() == pytest.approx(4065.75)
    assert frame["share_of_open"].sum() == pytest.approx(1.0)


def test_by_bucket_of_one_segment_leaves_the_other_out(ageing_warehouse: Path) -> None:
    frame = queries.ageing_by_bucket(ageing_warehouse, LATEST, "B2C")

    assert list(frame["open_amount_rc"]) == pytest.approx([115.0, 120.5, 0, 0, 0, 80.25])


def test_by_bucket_at_the_month_end_and_between_snapshots(ageing_warehouse: Path) -> None:
    """One query for the month-end page and any date: at 2026-10-31 the month-end ageing;
    on 2026-11-10 INV-8 is paid, INV-2 is 5 days past due at 0.92, INV-3 41, INV-7 87 (61-90),
    INV-1, INV-4 and INV-6 issued on 11-01 (INV-4 due that day: current)."""
    month_end = queries.ageing_by_bucket(ageing_warehouse, MONTH_END, "all")
    assert list(month_end["open_items"]) == [1, 1, 1, 1, 0, 1]
    assert list(month_end["open_amount_rc"]) == pytest.approx(
        [460.0, 60.0, 2000.0, 300.0, 0, 80.25]
    )

    between = queries.ageing_by_bucket(ageing_warehouse, dt.date(2026, 11, 10), "all")
    assert list(between["open_items"]) == [3, 1, 1, 1, 0, 1]
    assert list(between["open_amount_rc"]) == pytest.approx(
        [1000.0 + 120.5 + 115.0, 460.0, 2000.0, 300.0, 0, 80.25]
    )


def test_items_of_a_bucket_are_exactly_that_buckets_invoices(ageing_warehouse: Path) -> None:
    every_segment = queries.ageing_items(ageing_warehouse, LATEST, "all", "1-30")
    b2b_only = queries.ageing_items(ageing_warehouse, LATEST, "B2B", "1-30")

    assert list(every_segment["invoice_number"]) == ["INV-2", "INV-4"]  # most days past due first
    assert list(every_segment["open_amount_rc"]) == pytest.approx([450.0, 120.5])
    assert list(b2b_only["invoice_number"]) == ["INV-2"]
    assert b2b_only.loc[0, "currency"] == "USD"
    assert b2b_only.loc[0, "open_amount"] == pytest.approx(500.0)


def test_items_of_every_bucket_are_the_open_ar_at_the_snapshot(ageing_warehouse: Path) -> None:
    """Bucket 'all': the DSO page's drill from a month to the open items of its ending AR."""
    every_item = queries.ageing_items(ageing_warehouse, MONTH_END, "all", "all")
    b2c = queries.ageing_items(ageing_warehouse, MONTH_END, "B2C", "all")

    assert sorted(every_item["invoice_number"]) == ["INV-2", "INV-3", "INV-5", "INV-7", "INV-8"]
    assert sum(every_item["open_amount_rc"]) == pytest.approx(2900.25)
    assert sorted(b2c["invoice_number"]) == ["INV-5", "INV-8"]


def test_items_limit_keeps_the_most_overdue_first(ageing_warehouse: Path) -> None:
    first = queries.ageing_items(ageing_warehouse, LATEST, "all", "1-30", limit=1)

    assert list(first["invoice_number"]) == ["INV-2"]
    with pytest.raises(ValueError, match="limit"):
        queries.ageing_items(ageing_warehouse, LATEST, "all", "1-30", limit=-1)


def test_unknown_segment_or_bucket_is_refused_before_any_sql(ageing_warehouse: Path) -> None:
    with pytest.raises(ValueError, match="segment must be one of"):
        queries.ageing_kpis(ageing_warehouse, LATEST, "B2B' or 1=1 --")
    with pytest.raises(ValueError, match="ageing_bucket must be one of"):
        queries.ageing_items(ageing_warehouse, LATEST, "all", "0-10")


def test_connection_is_closed_after_each_query(ageing_warehouse: Path) -> None:
    queries.ageing_kpis(ageing_warehouse, LATEST, "all")

    # A read-only connection left open would make this read-write open fail in-process.
    duckdb.connect(str(ageing_warehouse)).close()


def test_missing_file_says_no_warehouse_yet(tmp_path: Path) -> None:
    with pytest.raises(queries.WarehouseNotBuilt) as raised:
        queries.snapshot_dates(tmp_path / "absent.duckdb")

    assert raised.value.message == "No warehouse yet: run `amicable build`."
    assert "absent.duckdb" in raised.value.detail
    assert not (tmp_path / "absent.duckdb").exists()


def test_warehouse_without_marts_says_no_warehouse_yet(tmp_path: Path) -> None:
    path = tmp_path / "raw_only.duckdb"
    duckdb.connect(str(path)).close()

    with pytest.raises(queries.WarehouseNotBuilt, match="fct_ar_ageing"):
        queries.ageing_kpis(path, LATEST, "all")


def test_file_that_is_not_duckdb_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database\n" * 400)

    with pytest.raises(queries.WarehouseUnreadable):
        queries.snapshot_dates(path)


def test_warehouse_open_for_writing_in_this_process_is_busy(ageing_warehouse: Path) -> None:
    writer = duckdb.connect(str(ageing_warehouse))
    try:
        with pytest.raises(queries.WarehouseBusy) as raised:
            queries.snapshot_dates(ageing_warehouse)
    finally:
        writer.close()

    assert raised.value.message == "The warehouse is being built right now; retry in a moment."


def test_warehouse_locked_by_another_process_is_busy(ageing_warehouse: Path) -> None:
    holder = _hold_write_lock(ageing_warehouse)
    try:
        with pytest.raises(queries.WarehouseBusy, match="lock"):
            queries.ageing_kpis(ageing_warehouse, LATEST, "all")
    finally:
        holder.kill()
        holder.wait()

    assert queries.ageing_kpis(ageing_warehouse, LATEST, "all").open_items == 7


def test_warehouse_path_comes_from_the_environment_when_asked() -> None:
    path = queries.warehouse_from_env({"AMICABLE_WAREHOUSE": "/data/amicable.duckdb"})

    assert path == Path("/data/amicable.duckdb")
    with pytest.raises(queries.WarehouseNotBuilt, match="AMICABLE_WAREHOUSE is not set"):
        queries.warehouse_from_env({})


def _hold_write_lock(path: Path) -> subprocess.Popen[str]:
    """A child process that opens `path` for writing and waits until killed."""
    script = (
        "import sys, time, duckdb\n"
        "connection = duckdb.connect(sys.argv[1])\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder
