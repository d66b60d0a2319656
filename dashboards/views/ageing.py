"""Ledger ageing, by due date: open receivables per ageing bucket, with drill to invoices.

Reads `marts.fct_ar_ageing` through `dashboards.queries`; figures come from the mart, the page
only filters and sums them. Filters (snapshot, segment, bucket) are bound to the URL's query
parameters, so a view can be shared by its address.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

SNAPSHOT_KEY = "snapshot"
SEGMENT_KEY = "segment"
BUCKET_KEY = "bucket"
CHART_KEY = "ageing_chart"
ITEMS_KEY = "ageing_items"
DISPLAY_LIMIT = 5_000  # rows shown in the drill table; the CSV holds every row


def _bucket_clicked(buckets: Sequence[str]) -> None:
    """Chart callback: a click on a bar chooses that bucket for the drill-down."""
    state = st.session_state.get(CHART_KEY)
    bucket = charts.bucket_from_selection(state.get("selection") if state else None, buckets)
    if bucket is not None:
        st.session_state[BUCKET_KEY] = bucket


def _filters(dates: list[dt.date], buckets: Sequence[str]) -> tuple[dt.date, str, str | None]:
    snapshot_col, segment_col, bucket_col = st.columns([2, 2, 2])
    with snapshot_col:
        snapshot = ui.choice(
            st.selectbox,
            "Snapshot date",
            dates,
            format_func=dt.date.isoformat,
            key=SNAPSHOT_KEY,
            help="Month ends, plus the latest day of the build.",
        )
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with bucket_col:
        bucket = ui.choice(
            st.selectbox,
            "Bucket to list",
            buckets,
            index=None,
            placeholder="Click a bar or choose a bucket",
            key=BUCKET_KEY,
        )
    return snapshot, segment, bucket


def _kpi_row(kpis: queries.AgeingKpis) -> None:
    currency = kpis.reporting_currency or "reporting currency"
    total_col, share_col, items_col = st.columns(3)
    total = "n/a" if kpis.total_open_rc is None else ui.format_amount(kpis.total_open_rc, None)
    total_col.metric(f"Total open ({currency})", total)
    share_col.metric(
        "Overdue share",
        ui.format_share(kpis.overdue_share),
        help="Open amount past its due date ÷ total open amount.",
    )
    items_col.metric("Open items", ui.format_count(kpis.open_items))
    if kpis.items_without_rate:
        st.warning(
            f"{ui.format_count(kpis.items_without_rate)} open item(s) have no FX rate on or "
            f"before this date: totals in {currency} are not shown rather than understated. "
            "The items are listed on the Data health page (a row-level check).",
            icon=":material/currency_exchange:",
        )


def _bucket_table(by_bucket: pd.DataFrame, currency: str, snapshot: dt.date, segment: str) -> None:
    blocks.table(
        by_bucket,
        key="ageing_buckets",
        file_name=f"ageing_buckets_{snapshot.isoformat()}_{segment}.csv",
        column_config={
            "ageing_bucket": st.column_config.TextColumn("Bucket"),
            "open_items": st.column_config.NumberColumn("Open items", format="%,d"),
            "open_amount_rc": st.column_config.NumberColumn(f"Open ({currency})", format="%,.2f"),
            "share_of_open": st.column_config.NumberColumn("Share", format="percent"),
        },
    )


def _drill(
    warehouse: str,
    version: int,
    snapshot: dt.date,
    segment: str,
    bucket: str | None,
    by_bucket: pd.DataFrame,
) -> None:
    st.subheader("Invoices in the bucket")
    if bucket is None:
        st.info("Click a bar, or choose a bucket above, to list its invoices.")
        return
    open_items = int(by_bucket.loc[by_bucket["ageing_bucket"] == bucket, "open_items"].sum())
    shown = f"; showing the {DISPLAY_LIMIT:,} most overdue" if open_items > DISPLAY_LIMIT else ""
    st.caption(
        f"Bucket **{bucket}** at {snapshot.isoformat()}, segment {segment}: "
        f"{ui.format_count(open_items)} open items{shown}."
    )
    if open_items == 0:
        return
    blocks.table(
        ui.query(
            queries.ageing_items, warehouse, version, snapshot, segment, bucket, DISPLAY_LIMIT
        ),
        key=ITEMS_KEY,
        file_name=f"ageing_{snapshot.isoformat()}_{segment}_{bucket}.csv",
        column_config=ui.ageing_item_columns(),
        every_row=ui.deferred(queries.ageing_items, warehouse, version, snapshot, segment, bucket),
    )


def _render(warehouse: str, version: int) -> None:
    dates = ui.query(queries.snapshot_dates, warehouse, version)
    if not dates:
        st.info("The ageing mart holds no snapshot yet: run `amicable build`.")
        return
    buckets = ui.query(queries.ageing_buckets, warehouse, version)
    snapshot, segment, bucket = _filters(dates, buckets)
    kpis = ui.query(queries.ageing_kpis, warehouse, version, snapshot, segment)
    currency = kpis.reporting_currency or "reporting currency"
    _kpi_row(kpis)
    by_bucket = ui.query(queries.ageing_by_bucket, warehouse, version, snapshot, segment)
    chart_col, table_col = st.columns([3, 2])
    with chart_col:
        figure = charts.ageing_bar_chart(
            by_bucket,
            buckets=buckets,
            reporting_currency=kpis.reporting_currency,
            selected_bucket=bucket,
        )
        st.plotly_chart(
            figure,
            key=CHART_KEY,
            on_select=partial(_bucket_clicked, buckets),
            selection_mode="points",
        )
    with table_col:
        _bucket_table(by_bucket, currency, snapshot, segment)
    _drill(warehouse, version, snapshot, segment, bucket, by_bucket)


ui.page(
    "Ledger ageing",
    "View: **by due date**. Days past due = snapshot date − due date; "
    "amounts in the currency chosen in the sidebar unless a column says otherwise.",
    _render,
    section="Finance",
    amounts=True,
)
