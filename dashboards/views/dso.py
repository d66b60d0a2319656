"""DSO family and CEI: how long the company waits for its cash, and how well it collects.

Reads `marts.fct_dso_periods` through `dashboards.queries`; every figure comes from the mart.
A click on a month (a point, a bar or a row) lists the open items behind its ending AR
(`marts.fct_ar_ageing` at the period's end), a click on an invoice its debtor's cases
(`marts.dim_cases`), and a click on a case its timeline. Filters (segment, period length) and
the drill-downs (month, debtor, case) are bound to the URL's query parameters.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

SEGMENT_KEY = "segment"
PERIOD_KEY = "period"
MONTH_KEY = "month"
DEBTOR_KEY = "debtor"
TREND_CHART_KEY = "dso_trend"
CEI_CHART_KEY = "cei"
TABLE_KEY = "dso_table"
ITEMS_KEY = "dso_open_items"
CASES_KEY = "debtor_cases"
DISPLAY_LIMIT = 5_000  # open items shown; the CSV holds every one

PERIODS = {"1 month": 1, "3 months": 3}  # label -> period_months (3 = rolling)
CEI_FORMS = {
    "monthly": "monthly CEI",
    "crf_credit_sales_divided_by_n": "Credit Research Foundation form (credit sales ÷ 3)",
}
TABLE_COLUMNS = {
    "month": st.column_config.DateColumn("Month", format="YYYY-MM"),
    "credit_sales_rc": st.column_config.NumberColumn("Credit sales", format="%,.2f"),
    "ending_ar_rc": st.column_config.NumberColumn("Ending AR", format="%,.2f"),
    "current_ar_rc": st.column_config.NumberColumn("Current AR", format="%,.2f"),
    "standard_dso_days": st.column_config.NumberColumn("DSO", format="%,.2f"),
    "countback_dso_days": st.column_config.NumberColumn("Countback", format="%,.2f"),
    "best_possible_dso_days": st.column_config.NumberColumn("Best possible", format="%,.2f"),
    "add_days": st.column_config.NumberColumn("ADD", format="%,.2f"),
    "cei_pct": st.column_config.NumberColumn("CEI %", format="%,.2f"),
    "dso_null_reason": st.column_config.TextColumn("Why empty"),
}


def _days(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f} d"


def _filters() -> tuple[str, int]:
    segment_col, period_col = st.columns(2)
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with period_col:
        # Plain string options: the URL carries the label (`period=3 months`).
        period = ui.choice(st.radio, "Period", list(PERIODS), key=PERIOD_KEY, horizontal=True)
    return segment, PERIODS[period]


def _kpi_row(months: pd.DataFrame) -> None:
    """The headline: the last complete period's figures, each with the partial as-of period's
    beside it, labelled partial (a month of a few days' sales is no headline). With no complete
    period yet, the partial one is the headline, labelled so."""
    partial = months["is_partial_period"].astype(bool)
    complete, to_date = months[~partial], months[partial]
    head = complete.iloc[-1] if not complete.empty else to_date.iloc[-1]
    beside = to_date.iloc[-1] if not to_date.empty and not complete.empty else None
    caption = f"Headline: **{_period(head)}**, ending {head['period_end_date']:%Y-%m-%d}"
    if beside is not None:
        caption += f"; in grey beside each figure: {_period(beside)}"
    st.caption(caption + ".")
    figures = [
        ("Standard DSO", "standard_dso_days", _days, None),
        ("Countback DSO", "countback_dso_days", _days, None),
        ("Best possible DSO", "best_possible_dso_days", _days, None),
        ("ADD", "add_days", _days, "DSO − best possible DSO."),
        ("CEI", "cei_pct", _percent, None),
    ]
    for column, (label, name, show, help) in zip(st.columns(5), figures, strict=True):
        column.metric(
            label,
            show(head[name]),
            help=help,
            delta=None if beside is None else show(beside[name]),
            delta_color="off",
            delta_arrow="off",
            delta_description=None if beside is None else "partial",
        )


def _period(row: pd.Series) -> str:
    month = row["month"].strftime("%Y-%m")
    return f"{month} to date (partial)" if row["is_partial_period"] else month


def _percent(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f} %"


def _month_clicked(chart_key: str) -> None:
    """Chart callback: a click on a month's point or bar chooses that month for the drill."""
    state = st.session_state.get(chart_key)
    month = charts.month_from_selection(state.get("selection") if state else None)
    if month is not None:
        st.session_state[MONTH_KEY] = dt.date.fromisoformat(month)


def _choose_month(months: list[dt.date]) -> dt.date | None:
    return ui.choice(
        st.selectbox,
        "Month to open",
        months,
        index=None,
        format_func=lambda month: month.strftime("%Y-%m"),
        placeholder="Click a month on a chart or in the table, or choose one",
        key=MONTH_KEY,
    )


def _item_columns() -> dict[str, object]:
    return {
        **ui.ageing_item_columns(),
        "ageing_bucket": st.column_config.TextColumn("Bucket"),
        "debtor_id": st.column_config.TextColumn("Debtor id"),
    }


def _open_items(warehouse: str, version: int, row: pd.Series, segment: str) -> None:
    """The open items at the end of the chosen month's period (the rows of its ending AR), then
    the cases of the debtor of a clicked invoice."""
    end = pd.Timestamp(row["period_end_date"]).date()
    st.subheader(f"Open items at {end.isoformat()}")
    try:
        kpis = ui.query(queries.ageing_kpis, warehouse, version, end, segment)
    except queries.WarehouseNotBuilt:
        st.info("The ledger ageing mart is not built, so the open items cannot be listed.")
        return
    shown = (
        f"; showing the {DISPLAY_LIMIT:,} most overdue" if kpis.open_items > DISPLAY_LIMIT else ""
    )
    st.caption(
        f"The ending AR of {row['month']:%Y-%m}, segment {segment}: "
        f"{ui.format_count(kpis.open_items)} open items, "
        + (
            "no total (an item has no FX rate)"
            if kpis.total_open_rc is None
            else ui.format_amount(kpis.total_open_rc, kpis.reporting_currency)
        )
        + f"{shown}. "
        "Click an invoice to list its debtor's cases."
    )
    if kpis.open_items == 0:
        return
    items = ui.query(
        queries.ageing_items, warehouse, version, end, segment, queries.ALL, DISPLAY_LIMIT
    )
    blocks.table(
        items,
        key=ITEMS_KEY,
        file_name=f"open_items_{end.isoformat()}_{segment}.csv",
        column_config=_item_columns(),
        on_select=blocks.drill_to(ITEMS_KEY, DEBTOR_KEY, list(items["debtor_id"])),
        every_row=ui.deferred(queries.ageing_items, warehouse, version, end, segment, queries.ALL),
    )
    debtor = ui.choice(
        st.selectbox,
        "Debtor to open",
        sorted(set(items["debtor_id"])),
        index=None,
        placeholder="Click an invoice, or choose its debtor, to list the debtor's cases",
        key=DEBTOR_KEY,
    )
    if debtor is not None:
        blocks.debtor_cases(warehouse, version, debtor, key=CASES_KEY)


def _render(warehouse: str, version: int) -> None:
    segment, period = _filters()
    months = ui.query(queries.dso_months, warehouse, version, segment, period)
    if months.empty:
        st.info("The DSO mart holds no month for this filter yet: run `amicable build`.")
        return
    _kpi_row(months)
    month = _choose_month([m.date() for m in pd.to_datetime(months["month"])])
    selected = month.isoformat() if month else None
    trend_col, cei_col = st.columns([3, 2])
    with trend_col:
        st.plotly_chart(
            charts.dso_trend_chart(months, selected_month=selected),
            key=TREND_CHART_KEY,
            on_select=lambda: _month_clicked(TREND_CHART_KEY),
            selection_mode="points",
        )
    with cei_col:
        st.plotly_chart(
            charts.cei_chart(months, selected_month=selected),
            key=CEI_CHART_KEY,
            on_select=lambda: _month_clicked(CEI_CHART_KEY),
            selection_mode="points",
        )
        form = CEI_FORMS.get(str(months.iloc[-1]["cei_form"]), str(months.iloc[-1]["cei_form"]))
        st.caption(f"CEI shown: {form}.")
    st.subheader("Figures per month")
    newest_first = months.sort_values("month", ascending=False)
    blocks.table(
        newest_first,
        key=TABLE_KEY,
        file_name=f"dso_{segment}_{period}m.csv",
        column_config=TABLE_COLUMNS,
        on_select=blocks.drill_to(
            TABLE_KEY, MONTH_KEY, [m.date() for m in pd.to_datetime(newest_first["month"])]
        ),
    )
    if month is None:
        st.info("Click a month on a chart or in the table to list the open items behind it.")
        return
    chosen = months[pd.to_datetime(months["month"]).dt.date == month]
    if not chosen.empty:
        _open_items(warehouse, version, chosen.iloc[0], segment)


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
