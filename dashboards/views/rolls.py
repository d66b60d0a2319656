"""Roll rates: where each ageing bucket's open AR stood a month later (rolled to an older
bucket, stayed, cured, paid, credited or written off), per segment and collection strategy,
and the open AR the month's rates project for the next month end.

Reads `marts.fct_ar_roll_rates` (and `marts.fct_ar_ageing` for the projection's base) through
`dashboards.queries`; the rates are the mart's amounts recomputed over the selection, the page
only filters and draws. The period, segment and strategy are bound to the URL.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboards import blocks, charts, queries, ui

PERIOD_KEY = "period"
SEGMENT_KEY = "segment"
STRATEGY_KEY = "strategy"


def _filters(periods: list[dt.date], strategies: list[str]) -> tuple[dt.date, str, str]:
    period_col, segment_col, strategy_col = st.columns([2, 2, 2])
    with period_col:
        period = ui.choice(
            st.selectbox,
            "Month ending",
            periods,
            format_func=dt.date.isoformat,
            key=PERIOD_KEY,
            help="The period runs from the month end before it to this one.",
        )
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with strategy_col:
        strategy = ui.choice(st.selectbox, "Strategy", [queries.ALL, *strategies], key=STRATEGY_KEY)
    return period, segment, strategy


def _render(warehouse: str, version: int) -> None:
    periods = ui.query(queries.roll_rate_periods, warehouse, version)
    if not periods:
        st.info("Roll rates need two month ends of ageing: run `amicable build` on more history.")
        return
    strategies = ui.query(queries.roll_rate_strategies, warehouse, version)
    period, segment, strategy = _filters(periods, strategies)
    matrix = ui.query(queries.roll_rate_matrix, warehouse, version, period, segment, strategy)
    if matrix.empty:
        st.info("Nothing was open at the start of this period in the selection.")
        return
    buckets = ui.query(queries.ageing_buckets, warehouse, version)
    currency = matrix["reporting_currency"].iloc[0] or "reporting currency"
    st.plotly_chart(charts.roll_rate_heatmap(matrix, buckets=buckets), key="roll_rate_heatmap")
    blocks.table(
        matrix,
        key="roll_rate_matrix",
        file_name=f"roll_rates_{period.isoformat()}_{segment}_{strategy}.csv",
        column_config={
            "from_bucket": st.column_config.TextColumn("From"),
            "to_state": st.column_config.TextColumn("To"),
            "invoices": st.column_config.NumberColumn("Invoices", format="%,d"),
            "opening_amount_rc": st.column_config.NumberColumn(
                f"Open at start ({currency})", format="%,.2f"
            ),
            "amount_rate": st.column_config.NumberColumn("Share of amount", format="percent"),
            "count_rate": st.column_config.NumberColumn("Share of invoices", format="percent"),
        },
    )
    st.subheader(f"Open AR at the next month end, as {period.isoformat()}'s rates project it")
    st.caption(
        f"The open AR per bucket on {period.isoformat()} (segment {segment}, every strategy, "
        "less the AR written off by then) carried at this period's rates; new invoices are not "
        "projected, and a bucket with no rate this period keeps its AR under `no rate`."
    )
    blocks.table(
        ui.query(queries.roll_rate_projection, warehouse, version, period, segment),
        key="roll_rate_projection",
        file_name=f"roll_rate_projection_{period.isoformat()}_{segment}.csv",
        column_config={
            "to_state": st.column_config.TextColumn("State"),
            "projected_amount_rc": st.column_config.NumberColumn(
                f"Projected ({currency})", format="%,.2f"
            ),
        },
    )


ui.page(
    "Roll rates",
    "Month over month, where the open AR of each ageing bucket (by due date) stood at the next "
    "month end: rolled to an older bucket, stayed, cured to a younger one, paid, credited or "
    "written off (its case closed `written_off`; from then on it is left out, though the "
    "ledger still ages it). "
    "Shares are of the bucket's open amount at the start; the strategy is that of the debtor's "
    "case open at the start (`not placed` without one). Amounts in the currency chosen in the "
    "sidebar.",
    _render,
    section="Finance",
    amounts=True,
)
