"""Ageing waterfall: how the open ledger moved between two snapshots, and its bucket mix.

Reads `marts.fct_ar_movements` (per invoice and period between consecutive snapshots) and
`marts.fct_ar_ageing` through `dashboards.queries`; the page only filters and sums. Filters
(from, to, segment) and drill-downs (step; snapshot and bucket) are bound to the URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

FROM_KEY = "from"
TO_KEY = "to"
SEGMENT_KEY = "segment"
STEP_KEY = "step"
AT_KEY = "at"
BUCKET_KEY = "bucket"
WATERFALL_CHART_KEY = "waterfall_chart"
MIX_CHART_KEY = "bucket_mix_chart"
DISPLAY_LIMIT = 5_000  # rows shown in a drill table; the CSV holds every row
# Step names as the URL carries them (`step=Cash+applied`) -> queries.WATERFALL_STEPS.
STEP_NAMES = {
    "Opening AR": "opening_amount",
    "New invoices": "new_invoice_amount",
    "Credit notes": "credit_note_amount",
    "Cash applied": "cash_applied_amount",
    "Unapplied credit": "unapplied_credit_change_amount",
    "FX revaluation": "fx_revaluation_amount",
    "Closing AR": "closing_amount",
}

STEP_COLUMNS = {
    "invoice_number": st.column_config.TextColumn("Invoice"),
    "debtor_name": st.column_config.TextColumn("Debtor"),
    "segment": st.column_config.TextColumn("Segment"),
    "currency": st.column_config.TextColumn("Currency"),
    "step_amount_rc": st.column_config.NumberColumn("This step", format="%,.2f"),
    "opening_amount_rc": st.column_config.NumberColumn("Opening", format="%,.2f"),
    "new_invoice_amount_rc": st.column_config.NumberColumn("New", format="%,.2f"),
    "credit_note_amount_rc": st.column_config.NumberColumn("Credit notes", format="%,.2f"),
    "cash_applied_amount_rc": st.column_config.NumberColumn("Cash", format="%,.2f"),
    "unapplied_credit_change_amount_rc": st.column_config.NumberColumn("Unapplied", format="%,.2f"),
    "fx_revaluation_amount_rc": st.column_config.NumberColumn("FX", format="%,.2f"),
    "closing_amount_rc": st.column_config.NumberColumn("Closing", format="%,.2f"),
}


def _snapshot_dates(warehouse: str, version: int) -> list[dt.date]:
    return ui.query(queries.snapshot_dates, warehouse, version)


def _waterfall(
    warehouse: str, version: int, first: dt.date, last: dt.date, segment: str
) -> queries.ArWaterfall:
    return ui.query(queries.ar_waterfall, warehouse, version, first, last, segment)


def _step_items(
    warehouse: str, version: int, first: dt.date, last: dt.date, segment: str, step: str
) -> pd.DataFrame:
    return ui.query(queries.ar_movement_items, warehouse, version, first, last, segment, step)


def _bucket_history(warehouse: str, version: int, segment: str) -> pd.DataFrame:
    return ui.query(queries.ageing_bucket_history, warehouse, version, segment)


def _bucket_items(
    warehouse: str, version: int, snapshot: dt.date, segment: str, bucket: str
) -> pd.DataFrame:
    return ui.query(queries.ageing_items, warehouse, version, snapshot, segment, bucket)


def _step_clicked() -> None:
    """Waterfall callback: a click on a step chooses it for the drill-down."""
    state = st.session_state.get(WATERFALL_CHART_KEY)
    step = charts.step_from_selection(state.get("selection") if state else None)
    if step is not None:
        st.session_state[STEP_KEY] = next(name for name, key in STEP_NAMES.items() if key == step)


def _bar_clicked(buckets: Sequence[str]) -> None:
    """Bucket-mix callback: a click on a stacked bar chooses its snapshot and bucket."""
    state = st.session_state.get(MIX_CHART_KEY)
    chosen = charts.snapshot_bucket_from_selection(
        state.get("selection") if state else None, buckets
    )
    if chosen is not None:
        st.session_state[AT_KEY] = dt.date.fromisoformat(chosen[0])
        st.session_state[BUCKET_KEY] = chosen[1]


def _filters(dates: list[dt.date]) -> tuple[dt.date, dt.date, str]:
    from_col, to_col, segment_col = st.columns([2, 2, 2])
    with from_col:
        first = ui.choice(
            st.selectbox,
            "From snapshot",
            dates,
            index=min(1, len(dates) - 1),
            format_func=dt.date.isoformat,
            key=FROM_KEY,
            help="Opening AR: the ledger ageing total at this snapshot.",
        )
    with to_col:
        last = ui.choice(
            st.selectbox,
            "To snapshot",
            dates,
            format_func=dt.date.isoformat,
            key=TO_KEY,
            help="Closing AR: the ledger ageing total at this snapshot.",
        )
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    return first, last, segment


def _kpi_row(waterfall: queries.ArWaterfall, first: dt.date, last: dt.date) -> None:
    currency = waterfall.reporting_currency or "reporting currency"
    opening = waterfall.amounts["opening_amount"]
    closing = waterfall.amounts["closing_amount"]
    columns = st.columns(3)
    columns[0].metric(f"Opening AR ({currency})", ui.format_amount(opening, None))
    columns[1].metric(f"Closing AR ({currency})", ui.format_amount(closing, None))
    columns[2].metric(f"Net change ({currency})", ui.format_amount(closing - opening, None))
    st.caption(f"Opening at {first.isoformat()}, closing at {last.isoformat()}.")


def _drill_table(
    frame: pd.DataFrame, columns: dict, file_name: str, key: str, count_text: str
) -> None:
    """A drill table (at most DISPLAY_LIMIT rows shown) with its CSV download (every row)."""
    shown = f"; showing the first {DISPLAY_LIMIT:,}" if len(frame) > DISPLAY_LIMIT else ""
    st.caption(f"{count_text}{shown}.")
    if not frame.empty:
        blocks.table(
            frame, key=key, file_name=file_name, column_config=columns, display_limit=DISPLAY_LIMIT
        )


def _step_drill(warehouse: str, version: int, first: dt.date, last: dt.date, segment: str) -> None:
    st.subheader("Invoices behind a step")
    name = ui.choice(
        st.selectbox,
        "Step to list",
        list(STEP_NAMES),
        index=None,
        placeholder="Click a step or choose one",
        key=STEP_KEY,
    )
    if name is None:
        st.info("Click a step of the waterfall, or choose one above, to list its invoices.")
        return
    step = STEP_NAMES[name]
    items = _step_items(warehouse, version, first, last, segment, step)
    _drill_table(
        items,
        STEP_COLUMNS,
        f"ar_movements_{first.isoformat()}_{last.isoformat()}_{segment}_{step}.csv",
        "step_items",
        f"**{name}** from {first.isoformat()} to {last.isoformat()}, "
        f"segment {segment}: {ui.format_count(len(items))} invoices",
    )


def _bucket_drill(
    warehouse: str, version: int, dates: list[dt.date], buckets: Sequence[str], segment: str
) -> None:
    st.subheader("Invoices in a bucket at a snapshot")
    at_col, bucket_col = st.columns(2)
    with at_col:
        snapshot = ui.choice(
            st.selectbox,
            "Snapshot",
            dates,
            index=None,
            format_func=dt.date.isoformat,
            placeholder="Click a bar or choose a snapshot",
            key=AT_KEY,
        )
    with bucket_col:
        bucket = ui.choice(
            st.selectbox,
            "Bucket",
            buckets,
            index=None,
            placeholder="Click a bar or choose a bucket",
            key=BUCKET_KEY,
        )
    if snapshot is None or bucket is None:
        st.info("Click a stacked bar, or choose a snapshot and a bucket, to list its invoices.")
        return
    items = _bucket_items(warehouse, version, snapshot, segment, bucket)
    _drill_table(
        items,
        ui.ageing_item_columns(),
        f"ageing_{snapshot.isoformat()}_{segment}_{bucket}.csv",
        "bucket_items",
        f"Bucket **{bucket}** at {snapshot.isoformat()}, segment {segment}: "
        f"{ui.format_count(len(items))} open items",
    )


def _render(warehouse: str, version: int) -> None:
    dates = _snapshot_dates(warehouse, version)
    if len(dates) < 2:
        st.info("The waterfall needs two ageing snapshots; the warehouse holds fewer.")
        return
    first, last, segment = _filters(dates)
    if first >= last:
        st.warning(
            f"Choose a *from* snapshot before the *to* snapshot (now {first.isoformat()} → "
            f"{last.isoformat()})."
        )
        return
    waterfall = _waterfall(warehouse, version, first, last, segment)
    if waterfall.movement_rows == 0:
        st.info(
            f"No invoice of segment {segment} was open or moved between {first.isoformat()} "
            f"and {last.isoformat()}."
        )
        return
    _kpi_row(waterfall, first, last)
    figure = charts.ar_waterfall_chart(
        waterfall, title=f"Open AR from {first.isoformat()} to {last.isoformat()}"
    )
    st.plotly_chart(
        figure, key=WATERFALL_CHART_KEY, on_select=_step_clicked, selection_mode="points"
    )
    _step_drill(warehouse, version, first, last, segment)
    history = _bucket_history(warehouse, version, segment)
    buckets = ui.query(queries.ageing_buckets, warehouse, version)
    mix = charts.bucket_mix_chart(
        history,
        buckets=buckets,
        reporting_currency=waterfall.reporting_currency,
        window=(first.isoformat(), last.isoformat()),
    )
    st.plotly_chart(
        mix, key=MIX_CHART_KEY, on_select=partial(_bar_clicked, buckets), selection_mode="points"
    )
    _bucket_drill(warehouse, version, dates, buckets, segment)


ui.page(
    "Ageing waterfall",
    "Opening and closing AR are the ledger ageing totals (by due date) at the two snapshots. "
    "The steps are summed per invoice from the periods between them: new invoices and credit "
    "notes at their issue date's rate, cash at its payment date's rate; ± unapplied credit is "
    "payment or credit beyond what was open (reported apart), ± FX revaluation the move to "
    "each snapshot's rate and cent rounding (zero for invoices in the reporting currency). "
    "The steps add up to the closing AR to the cent. Amounts in the currency chosen in the "
    "sidebar.",
    _render,
    section="Finance",
    amounts=True,
)
