"""Recovery curves: cumulative recovery rate by months on book per placement cohort, the
liquidation rate per month, and a drill from a cohort to its cases and a case's timeline.

Reads `marts.fct_recovery_curves` (the curves per cohort and filter cell, rates published) and
`marts.fct_recovery_cases` (the cases behind a cohort) through `dashboards.queries`; the page
only selects and sums. Filters (cohort range, segment, strategy)
and the chosen cohort and case are bound to the URL's query parameters.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

FIRST_KEY = "first"
LAST_KEY = "last"
SEGMENT_KEY = "segment"
STRATEGY_KEY = "strategy"
COHORT_KEY = "cohort"
CHART_KEY = "recovery_chart"
CASES_KEY = "recovery_cases"


def _cohort_columns(currency: str) -> dict[str, object]:
    return {
        "placement_month": st.column_config.DateColumn("Cohort", format="YYYY-MM"),
        "cases_count": st.column_config.NumberColumn("Cases", format="%,d"),
        "month_on_book": st.column_config.NumberColumn("Months on book", format="%,d"),
        "placed_amount_rc": st.column_config.NumberColumn(f"Placed ({currency})", format="%,.2f"),
        "recovered_amount_rc": st.column_config.NumberColumn(
            f"Recovered to date ({currency})", format="%,.2f"
        ),
        "recovery_rate": st.column_config.NumberColumn("Recovery rate", format="percent"),
    }


CASE_COLUMNS = {
    "case_id": st.column_config.TextColumn("Case"),
    "debtor_name": st.column_config.TextColumn("Debtor"),
    "segment": st.column_config.TextColumn("Segment"),
    "strategy": st.column_config.TextColumn("Strategy"),
    "agent_id": st.column_config.TextColumn("Agent"),
    "placed_amount": st.column_config.NumberColumn("Placed", format="%,.2f"),
    "currency": st.column_config.TextColumn("Currency"),
    "placed_amount_rc": None,  # labelled with the display currency: `_case_columns`
    "recovered_to_date_rc": None,
    "recovery_rate": st.column_config.NumberColumn("Recovery rate", format="percent"),
}


def _case_columns() -> dict[str, object]:
    return {
        **CASE_COLUMNS,
        "placed_amount_rc": st.column_config.NumberColumn(
            ui.amount_label("Placed"), format="%,.2f"
        ),
        "recovered_to_date_rc": st.column_config.NumberColumn(
            ui.amount_label("Recovered"), format="%,.2f"
        ),
    }


def _cohort_months(warehouse: str, version: int) -> list[dt.date]:
    return ui.query(queries.recovery_cohort_months, warehouse, version)


def _strategies(warehouse: str, version: int) -> list[str]:
    return ui.query(queries.recovery_strategies, warehouse, version)


def _rates(
    warehouse: str, version: int, first: dt.date, last: dt.date, segment: str, strategy: str
) -> queries.RecoveryRates:
    return ui.query(queries.recovery_rates, warehouse, version, first, last, segment, strategy)


def _cases(
    warehouse: str, version: int, cohort: dt.date, segment: str, strategy: str
) -> pd.DataFrame:
    return ui.query(queries.recovery_cohort_cases, warehouse, version, cohort, segment, strategy)


def _month(value: dt.date) -> str:
    return value.strftime("%Y-%m")


def _cohort_clicked() -> None:
    """Chart callback: a click on a curve chooses its cohort for the drill-down."""
    state = st.session_state.get(CHART_KEY)
    cohort = charts.cohort_from_selection(state.get("selection") if state else None)
    if cohort is not None:
        st.session_state[COHORT_KEY] = dt.date.fromisoformat(cohort)


def _filters(months: list[dt.date], strategies: list[str]) -> tuple[dt.date, dt.date, str, str]:
    first_col, last_col, segment_col, strategy_col = st.columns([2, 2, 3, 2])
    with first_col:
        first = ui.choice(st.selectbox, "First cohort", months, format_func=_month, key=FIRST_KEY)
    with last_col:
        last = ui.choice(
            st.selectbox,
            "Last cohort",
            months,
            index=len(months) - 1,
            format_func=_month,
            key=LAST_KEY,
        )
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with strategy_col:
        strategy = ui.choice(st.selectbox, "Strategy", ["all", *strategies], key=STRATEGY_KEY)
    return first, last, segment, strategy


def _latest_per_cohort(curves: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's row of its latest month on book (its recovery to date)."""
    latest = curves.sort_values("month_on_book").groupby("placement_month").tail(1)
    return latest.sort_values("placement_month").reset_index(drop=True)


def _kpi_row(latest: pd.DataFrame, currency: str) -> None:
    placed = latest["placed_amount_rc"].sum()
    recovered = latest["recovered_amount_rc"].sum()
    columns = st.columns(3)
    columns[0].metric("Cases placed", ui.format_count(int(latest["cases_count"].sum())))
    columns[1].metric(f"Placed ({currency})", ui.format_amount(placed, None))
    columns[2].metric(
        "Recovered to date",
        ui.format_share(recovered / placed if placed else None),
        help=f"{ui.format_amount(recovered, currency)} recovered ÷ placed, over the cohorts shown.",
    )


def _choose_cohort(cohorts: list[dt.date]) -> dt.date | None:
    return ui.choice(
        st.selectbox,
        "Cohort to list",
        cohorts,
        index=None,
        format_func=_month,
        placeholder="Click a curve or choose a cohort",
        key=COHORT_KEY,
    )


def _drill(
    warehouse: str, version: int, cohort: dt.date | None, segment: str, strategy: str
) -> None:
    st.subheader("Cases of a cohort")
    if cohort is None:
        st.info("Click a curve, or choose a cohort to list, to see its cases.")
        return
    cases = _cases(warehouse, version, cohort, segment, strategy)
    st.caption(
        f"Cohort **{_month(cohort)}**, segment {segment}, strategy {strategy}: "
        f"{ui.format_count(len(cases))} cases, recovery to date; click one to read its timeline."
    )
    if not cases.empty:
        blocks.case_table(
            warehouse,
            version,
            cases,
            key=CASES_KEY,
            file_name=f"recovery_{_month(cohort)}_{segment}_{strategy}_cases.csv",
            column_config=_case_columns(),
        )


def _left_out_caption(small: pd.DataFrame) -> str:
    cohorts = ", ".join(
        f"{_month(month)} ({count})"
        for month, count in zip(small["placement_month"], small["cases_count"], strict=True)
    )
    return (
        f"{ui.format_count(len(small))} cohorts of fewer than {queries.MIN_COHORT_CASES} cases "
        f"({ui.format_count(int(small['cases_count'].sum()))} cases) are left out of the "
        f"curves, as a rate on so few cases moves with one payment: {cohorts}. They count in "
        "the figures above and the table below."
    )


def _curves(rates: queries.RecoveryRates, cohort: dt.date | None) -> None:
    """The curves of the cohorts large enough to draw, and a caption naming those left out."""
    shown, small = rates.charted_curves()
    if shown.empty:
        st.info(
            f"No cohort here holds {queries.MIN_COHORT_CASES} cases or more: no curve is drawn."
        )
    else:
        figure = charts.recovery_curves_chart(
            shown, selected_cohort=cohort.isoformat() if cohort else None
        )
        st.plotly_chart(figure, key=CHART_KEY, on_select=_cohort_clicked, selection_mode="points")
    if not small.empty:
        st.caption(_left_out_caption(small))


def _liquidation(rates: queries.RecoveryRates) -> None:
    """The liquidation rate of the months whose cohorts hold enough cases, and a caption
    naming the months left out."""
    shown, small = rates.charted_liquidation()
    if shown.empty:
        st.info(
            f"No month here has {queries.MIN_COHORT_CASES} placed cases or more behind it: no "
            "liquidation rate is drawn."
        )
    else:
        st.plotly_chart(charts.liquidation_chart(shown), key="liquidation_chart")
    if not small.empty:
        months = [_month(month) for month in small["calendar_month"]]
        span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
        st.caption(
            f"{ui.format_count(len(months))} months ({span}) are left out of the liquidation "
            f"chart: the cohorts behind each held fewer than {queries.MIN_COHORT_CASES} cases."
        )


def _render(warehouse: str, version: int) -> None:
    months = _cohort_months(warehouse, version)
    if not months:
        st.info("No case has been placed yet: the recovery curves need placed cases.")
        return
    first, last, segment, strategy = _filters(months, _strategies(warehouse, version))
    if first > last:
        st.warning(
            f"Choose a first cohort on or before the last one (now {_month(first)} → "
            f"{_month(last)})."
        )
        return
    rates = _rates(warehouse, version, first, last, segment, strategy)
    if rates.curves.empty:
        st.info(
            f"No case placed from {_month(first)} to {_month(last)} in segment {segment} "
            f"with strategy {strategy}."
        )
        return
    currency = str(rates.curves["reporting_currency"].iloc[0])
    latest = _latest_per_cohort(rates.curves)
    _kpi_row(latest, currency)
    cohort = _choose_cohort([month for month in months if first <= month <= last])
    curve_col, liquidation_col = st.columns([3, 2])
    with curve_col:
        _curves(rates, cohort)
    with liquidation_col:
        _liquidation(rates)
    st.subheader("Cohorts to date")
    blocks.table(
        latest,
        key="recovery_cohorts",
        file_name=f"recovery_cohorts_{_month(first)}_{_month(last)}_{segment}_{strategy}.csv",
        column_config=_cohort_columns(currency),
    )
    _drill(warehouse, version, cohort, segment, strategy)


ui.page(
    "Recovery curves",
    "Recovery rate = recovered to date ÷ placed amount of a placement cohort (month the cases "
    "were opened), by months on book; payments count from the opening date, capped at the "
    "placed amount. Liquidation rate = collected in the month ÷ open placed balance at its "
    "start. Amounts in the currency chosen in the sidebar; the latest month is partial. A "
    f"curve is drawn for a cohort of {queries.MIN_COHORT_CASES} cases or more, a month's "
    f"liquidation rate when its cohorts hold {queries.MIN_COHORT_CASES} cases or more.",
    _render,
    section="Finance",
    amounts=True,
)
