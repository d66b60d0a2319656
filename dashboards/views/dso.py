"""DSO family and CEI: how long the company waits for its cash, and how well it collects.

Reads `marts.fct_dso_periods` through `dashboards.queries`; every figure comes from the mart.
Filters (segment, period length, month) are bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import charts, queries, ui

SEGMENT_KEY = "segment"
PERIOD_KEY = "period"
MONTH_KEY = "month"

PERIODS = {"1 month": 1, "3 months": 3}  # label -> period_months (3 = rolling)
CEI_FORMS = {
    "monthly": "monthly CEI",
    "crf_credit_sales_divided_by_n": "Credit Research Foundation form (credit sales ÷ 3)",
}
TABLE_COLUMNS = {
    "month": st.column_config.DateColumn("Month", format="YYYY-MM"),
    "credit_sales_rc": st.column_config.NumberColumn("Credit sales", format="%.2f"),
    "ending_ar_rc": st.column_config.NumberColumn("Ending AR", format="%.2f"),
    "current_ar_rc": st.column_config.NumberColumn("Current AR", format="%.2f"),
    "standard_dso_days": st.column_config.NumberColumn("DSO", format="%.2f"),
    "countback_dso_days": st.column_config.NumberColumn("Countback", format="%.2f"),
    "best_possible_dso_days": st.column_config.NumberColumn("Best possible", format="%.2f"),
    "add_days": st.column_config.NumberColumn("ADD", format="%.2f"),
    "cei_pct": st.column_config.NumberColumn("CEI %", format="%.2f"),
    "dso_null_reason": st.column_config.TextColumn("Why empty"),
}


def _days(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f} d"


def _filters() -> tuple[str, int]:
    segment_col, period_col = st.columns(2)
    with segment_col:
        segment = st.radio(
            "Segment", queries.SEGMENTS, key=SEGMENT_KEY, bind="query-params", horizontal=True
        )
    with period_col:
        # Plain string options: the URL carries the label (`period=3 months`).
        period = st.radio(
            "Period", list(PERIODS), key=PERIOD_KEY, bind="query-params", horizontal=True
        )
    return segment, PERIODS[period]


def _kpi_row(row: pd.Series) -> None:
    label = row["month"].strftime("%Y-%m") + (" (to date)" if row["is_partial_period"] else "")
    st.caption(f"Latest period: **{label}**, ending {row['period_end_date']:%Y-%m-%d}.")
    columns = st.columns(5)
    columns[0].metric("Standard DSO", _days(row["standard_dso_days"]))
    columns[1].metric("Countback DSO", _days(row["countback_dso_days"]))
    columns[2].metric("Best possible DSO", _days(row["best_possible_dso_days"]))
    columns[3].metric("ADD", _days(row["add_days"]), help="DSO − best possible DSO.")
    cei = row["cei_pct"]
    columns[4].metric("CEI", "n/a" if pd.isna(cei) else f"{float(cei):.1f} %")


def _render(warehouse: str, version: int) -> None:
    segment, period = _filters()
    months = ui.query(queries.dso_months, warehouse, version, segment, period)
    if months.empty:
        st.info("The DSO mart holds no month for this filter yet: run `amicable build`.")
        return
    _kpi_row(months.iloc[-1])
    trend_col, cei_col = st.columns([3, 2])
    with trend_col:
        st.plotly_chart(charts.dso_trend_chart(months), key="dso_trend")
    with cei_col:
        st.plotly_chart(charts.cei_chart(months), key="cei")
        form = CEI_FORMS.get(str(months.iloc[-1]["cei_form"]), str(months.iloc[-1]["cei_form"]))
        st.caption(f"CEI shown: {form}.")
    st.subheader("Figures per month")
    st.dataframe(
        months.sort_values("month", ascending=False),
        hide_index=True,
        column_order=list(TABLE_COLUMNS),
        column_config=TABLE_COLUMNS,
        key="dso_table",
    )
    st.download_button(
        "Download CSV",
        data=ui.to_csv(months),
        file_name=f"dso_{segment}_{period}m.csv",
        mime="text/csv",
        on_click="ignore",
        key="dso_csv",
        icon=":material/download:",
    )


ui.page(
    "Days sales outstanding",
    "Standard DSO = ending AR ÷ credit sales × days; countback walks back month by month; "
    "best possible uses the not-yet-due AR; ADD = DSO − best possible. Amounts in "
    "the currency chosen in the sidebar. An empty figure is undefined (no credit sales), "
    "never zero.",
    _render,
    section="Finance",
    amounts=True,
)
