"""A hand-made `marts.fct_ar_ageing`: two snapshots, two segments, three currencies.

Latest snapshot 2026-11-20 (reporting currency EUR):
    INV-1 B2B EUR  current  1000.00 -> 1000.00
    INV-2 B2B USD  1-30      500.00 ->  450.00 (fx 0.90)
    INV-3 B2B EUR  31-60    2000.00 -> 2000.00
    INV-7 B2B EUR  91-120    300.00 ->  300.00
    INV-4 B2C EUR  1-30      120.50 ->  120.50
    INV-5 B2C EUR  120+       80.25 ->   80.25
    INV-6 B2C GBP  current   100.00 ->  115.00 (fx 1.15)
  all: 4065.75 open, 2950.75 overdue, 7 items; B2B 3750.00 / 4 items; B2C 315.75 / 3 items.
Month end 2026-10-31: INV-2 current 460.00, INV-3 31-60 2000.00, INV-7 61-90 300.00,
  INV-5 120+ 80.25, INV-8 B2C 1-30 60.00: all 2900.25, 5 items.
The same open items as balance periods (`marts.fct_ar_balance_periods`, open from the issue
date, or from the day after the month end for those issued later, to the day after the last
snapshot holding them) with their rates (`marts.dim_fx_rate_periods`), and the ageing buckets
(`marts.dim_ageing_buckets`, the dbt model as dbt compiles it), for the ageing at any date.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import Downloads, traces
from tests.dbt_project.raw_fixture import build_models

LATEST = dt.date(2026, 11, 20)
MONTH_END = dt.date(2026, 10, 31)

DEBTORS = {
    "D1": ("Acme GmbH", "B2B"),
    "D2": ("Bolt SA", "B2B"),
    "D3": ("Carla Diaz", "B2C"),
    "D4": ("Dan Evans", "B2C"),
}

# snapshot, invoice, debtor, currency, due date, days past due, bucket, open, fx, open rc
ROWS = [
    (LATEST, "1", "D1", "EUR", "2026-11-30", -10, "current", "1000.00", "1", "1000.00"),
    (LATEST, "2", "D1", "USD", "2026-11-05", 15, "1-30", "500.00", "0.90", "450.00"),
    (LATEST, "3", "D2", "EUR", "2026-09-30", 51, "31-60", "2000.00", "1", "2000.00"),
    (LATEST, "7", "D2", "EUR", "2026-08-15", 97, "91-120", "300.00", "1", "300.00"),
    (LATEST, "4", "D3", "EUR", "2026-11-10", 10, "1-30", "120.50", "1", "120.50"),
    (LATEST, "5", "D4", "EUR", "2026-07-01", 142, "120+", "80.25", "1", "80.25"),
    (LATEST, "6", "D3", "GBP", "2026-11-25", -5, "current", "100.00", "1.15", "115.00"),
    (MONTH_END, "2", "D1", "USD", "2026-11-05", -5, "current", "500.00", "0.92", "460.00"),
    (MONTH_END, "3", "D2", "EUR", "2026-09-30", 31, "31-60", "2000.00", "1", "2000.00"),
    (MONTH_END, "7", "D2", "EUR", "2026-08-15", 77, "61-90", "300.00", "1", "300.00"),
    (MONTH_END, "5", "D4", "EUR", "2026-07-01", 122, "120+", "80.25", "1", "80.25"),
    (MONTH_END, "8", "D3", "EUR", "2026-10-01", 30, "1-30", "60.00", "1", "60.00"),
]

CREATE_MART = """
create schema marts;
create table marts.fct_ar_ageing (
    snapshot_date date,
    invoice_id varchar,
    invoice_number varchar,
    debtor_id varchar,
    debtor_name varchar,
    segment varchar,
    currency varchar,
    issue_date date,
    due_date date,
    days_past_due integer,
    ageing_bucket varchar,
    open_amount decimal(18, 2),
    fx_rate decimal(18, 6),
    open_amount_rc decimal(18, 2),
    reporting_currency varchar,
    is_latest_snapshot boolean
);
"""

INSERT_ROW = (
    "insert into marts.fct_ar_ageing values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# currency, valid from, valid to (excluded), rate: the rates of ROWS at each snapshot
FX_PERIODS = [
    ("EUR", dt.date(1, 1, 1), None, "1"),
    ("USD", dt.date(2026, 10, 1), LATEST, "0.92"),
    ("USD", LATEST, None, "0.90"),
    ("GBP", dt.date(2026, 10, 1), None, "1.15"),
]
CREATE_PERIODS = """
create table marts.fct_ar_balance_periods (
    invoice_id varchar,
    segment varchar,
    currency varchar,
    due_date date,
    valid_from date,
    valid_to date,
    open_amount decimal(18, 2)
);
create table marts.dim_fx_rate_periods (
    currency varchar,
    valid_from date,
    valid_to date,
    rate_to_reporting decimal(24, 10)
);
"""


def _balance_periods() -> list[tuple[object, ...]]:
    """One period per invoice of ROWS, holding its open amount at every snapshot it is in."""
    snapshots: dict[str, list[dt.date]] = {}
    for snapshot, number, *_ in ROWS:
        snapshots.setdefault(number, []).append(snapshot)
    periods = []
    for snapshot, number, debtor, currency, due, _, _, amount, _, _ in ROWS:
        held = snapshots[number]
        if snapshot != max(held):
            continue
        due_date = dt.date.fromisoformat(due)
        issued = due_date - dt.timedelta(days=30)
        valid_from = issued if MONTH_END in held else MONTH_END + dt.timedelta(days=1)
        valid_to = None if LATEST in held else snapshot + dt.timedelta(days=1)
        segment = DEBTORS[debtor][1]
        periods.append((f"I{number}", segment, currency, due_date, valid_from, valid_to, amount))
    return periods


def write_ageing_warehouse(path: Path) -> Path:
    connection = duckdb.connect(str(path))
    try:
        connection.execute(CREATE_MART)
        for snapshot, number, debtor, currency, due, dpd, bucket, amount, fx, amount_rc in ROWS:
            name, segment = DEBTORS[debtor]
            due_date = dt.date.fromisoformat(due)
            connection.execute(
                INSERT_ROW,
                [
                    snapshot,
                    f"I{number}",
                    f"INV-{number}",
                    debtor,
                    name,
                    segment,
                    currency,
                    due_date - dt.timedelta(days=30),
                    due_date,
                    dpd,
                    bucket,
                    amount,
                    fx,
                    amount_rc,
                    "EUR",
                    snapshot == LATEST,
                ],
            )
        connection.execute(CREATE_PERIODS)
        connection.executemany(
            "insert into marts.fct_ar_balance_periods values (?, ?, ?, ?, ?, ?, ?)",
            _balance_periods(),
        )
        connection.executemany(
            "insert into marts.dim_fx_rate_periods values (?, ?, ?, ?)", FX_PERIODS
        )
        build_models(connection, "dim_ageing_buckets")
    finally:
        connection.close()
    return path


@pytest.fixture
def ageing_warehouse(tmp_path: Path) -> Path:
    return write_ageing_warehouse(tmp_path / "warehouse.duckdb")


def select_table_row(page: AppTest, key: str, row: int | None) -> AppTest:
    """Select (or, with None, clear) one row of the keyed `st.dataframe`, as a click does.

    AppTest has no table interaction yet: this sends the widget state the browser sends, through
    AppTest internals (`_tree.get_widget_states`, `_run`), so a Streamlit rename fails loudly.
    """
    table = next(frame for frame in page.dataframe if frame.key == key)
    rows = [] if row is None else [row]
    selection = {"selection": {"rows": rows, "columns": [], "cells": []}}
    states = page._tree.get_widget_states()
    kept = [state for state in states.widgets if state.id != table.proto.id]
    del states.widgets[:]
    states.widgets.extend(kept)
    states.widgets.append(WidgetState(id=table.proto.id, string_value=json.dumps(selection)))
    return page._run(states)


@pytest.fixture
def select_row() -> Callable[[AppTest, str, int | None], AppTest]:
    return select_table_row


@pytest.fixture
def sample_warehouse(sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's built sample warehouse, named to the pages by AMICABLE_WAREHOUSE."""
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(sample_build.settings.warehouse))
    return sample_build.settings.warehouse


@pytest.fixture
def unfollowed_warehouse(
    sample_build: SampleBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the sample warehouse in which no broken or partially kept promise was followed
    up: every call and message dated after the earliest such promise's window end of its case
    is removed from `marts.fct_case_timeline` and those promises' `follow_up_at` is cleared in
    `marts.fct_promises` (the sample follows every one of them up)."""
    path = tmp_path / "unfollowed.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "delete from marts.fct_case_timeline as timeline"
            " using (select case_id, min(window_end_date) as window_end_date"
            "        from marts.fct_promises where outcome in ('broken', 'partially_kept')"
            "        group by case_id) as unfollowed"
            " where timeline.case_id = unfollowed.case_id"
            " and timeline.record_kind in ('call', 'message')"
            " and cast(timeline.occurred_at as date) > unfollowed.window_end_date"
        )
        con.execute(
            "update marts.fct_promises set follow_up_at = null"
            " where outcome in ('broken', 'partially_kept')"
        )
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(path))
    return path


@pytest.fixture
def empty_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DuckDB file without any mart (a build that has not run yet)."""
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(path))
    return path


@pytest.fixture
def chart_traces() -> Callable[[AppTest, str], list[dict]]:
    return traces


@pytest.fixture
def table_of() -> Callable[[AppTest, str], pd.DataFrame]:
    """The value of the keyed table of a page (raises StopIteration when it is absent). Only
    tables with a selection carry their key: find the others by a column (`column:<name>`)."""

    def table(page: AppTest, key: str) -> pd.DataFrame:
        if key.startswith("column:"):
            column = key.removeprefix("column:")
            return next(frame.value for frame in page.dataframe if column in frame.value)
        return next(frame.value for frame in page.dataframe if frame.key == key)

    return table


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    """The CSV each download button of the pages run in the test would send."""
    return Downloads(monkeypatch)
