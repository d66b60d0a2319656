"""Top debtors: credit exposure per debtor on the build's as-of date (open, overdue, disputed
and promised AR, credit limit and its use, days beyond terms, change since the last month
end), ranked by a measure; drill from a debtor to their statement of account (PDF, CSV) and
their cases, and from a case to its timeline.

Reads `marts.fct_debtor_exposure` (and `marts.dim_cases` for the drill-down) through
`dashboards.queries`; every figure comes from the mart, the page only filters, ranks and sums.
The segment, the ranking and the debtor are bound to the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, queries, ui

SEGMENT_KEY = "segment"
RANKING_KEY = "rank"
DEBTOR_KEY = "debtor"
TABLE_KEY = "top_debtors"
CASES_KEY = "debtor_cases"
STATEMENT_KEY = "statement"
DISPLAY_LIMIT = 100  # debtors shown; the CSV holds every one

RANKING_LABELS = {
    "open": "Open AR",
    "days_beyond_terms": "Days beyond terms",
    "change": "Increase since month end",
    "limit_used": "Credit limit used",
}


def _columns(currency: str) -> dict[str, object]:
    def amount(label: str) -> object:
        return st.column_config.NumberColumn(f"{label} ({currency})", format="%,.2f")

    return {
        "debtor_id": st.column_config.TextColumn("Debtor"),
        "debtor_name": st.column_config.TextColumn("Name"),
        "segment": st.column_config.TextColumn("Segment"),
        "open_items": st.column_config.NumberColumn("Open items", format="%,d"),
        "open_amount_rc": amount("Open"),
        "overdue_amount_rc": amount("Overdue"),
        "disputed_amount_rc": amount("Disputed"),
        "promised_amount_rc": amount("Promised"),
        "credit_limit_rc": amount("Credit limit"),
        "limit_used_share": st.column_config.NumberColumn("Limit used", format="percent"),
        "days_beyond_terms": st.column_config.NumberColumn("Days beyond terms", format="%,.1f"),
        "max_days_past_due": st.column_config.NumberColumn("Oldest (days past due)", format="%,d"),
        "open_amount_month_end_rc": amount("Open at month end"),
        "change_since_month_end_rc": amount("Change since"),
    }


def _filters() -> tuple[str, str]:
    segment_col, ranking_col = st.columns(2)
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with ranking_col:
        ranking = ui.choice(
            st.selectbox,
            "Rank by",
            list(queries.EXPOSURE_RANKINGS),
            format_func=RANKING_LABELS.get,
            key=RANKING_KEY,
        )
    return segment, ranking


def _kpi_row(kpis: pd.Series, currency: str) -> None:
    def amount(field: str) -> str:
        value = kpis[field]
        return "unknown (no FX rate)" if pd.isna(value) else ui.format_amount(value, None)

    columns = st.columns(5)
    columns[0].metric("Debtors owing", ui.format_count(int(kpis["debtors_with_open_items"])))
    columns[1].metric(f"Open ({currency})", amount("open_amount_rc"))
    columns[2].metric(f"Disputed ({currency})", amount("disputed_amount_rc"))
    columns[3].metric(f"Promised ({currency})", amount("promised_amount_rc"))
    columns[4].metric(
        "Over their credit limit",
        ui.format_count(int(kpis["debtors_over_limit"])),
        help=f"Of {ui.format_count(int(kpis['debtors_with_limit']))} debtors with a credit limit.",
    )


def _render(warehouse: str, version: int) -> None:
    segment, ranking = _filters()
    kpis = ui.query(queries.debtor_exposure_kpis, warehouse, version, segment).iloc[0]
    currency = kpis["reporting_currency"] or "reporting currency"
    _kpi_row(kpis, currency)
    debtors = ui.query(queries.debtor_exposure, warehouse, version, segment, ranking, DISPLAY_LIMIT)
    if debtors.empty:
        st.info(f"No debtor in segment {segment} owes anything now or at the last month end.")
        return
    label = RANKING_LABELS[ranking]
    st.subheader(f"Top debtors by {label[0].lower()}{label[1:]}")  # open AR, credit limit used
    st.caption(
        f"The {ui.format_count(len(debtors))} largest (the CSV holds every debtor), as of "
        f"{pd.Timestamp(kpis['as_of_date']):%Y-%m-%d}; the change runs from the last month end "
        "before that month. Click a debtor for their statement of account and their cases."
    )
    blocks.table(
        debtors,
        key=TABLE_KEY,
        file_name=f"top_debtors_{segment}_{ranking}.csv",
        column_config=_columns(currency),
        on_select=blocks.drill_to(TABLE_KEY, DEBTOR_KEY, list(debtors["debtor_id"])),
        every_row=ui.deferred(queries.debtor_exposure, warehouse, version, segment, ranking),
    )
    debtor = ui.choice(
        st.selectbox,
        "Debtor to open",
        list(debtors["debtor_id"]),
        index=None,
        placeholder="Click a debtor, or choose one, for their statement and cases",
        key=DEBTOR_KEY,
    )
    if debtor is not None:
        blocks.statement_downloads(warehouse, version, debtor, key=STATEMENT_KEY)
        blocks.debtor_cases(warehouse, version, debtor, key=CASES_KEY)


ui.page(
    "Top debtors",
    "Credit exposure per debtor on the build's as-of date: open AR (overdue: past its due "
    "date; disputed: on invoices under a dispute still open), what pending promises still "
    "await, the credit limit at the as-of rate and the share of it used, days beyond terms "
    "(the open-amount-weighted mean of days past due, 0 for an item not yet due) and the change "
    "of open AR since the last month end. Amounts in the currency chosen in the sidebar.",
    _render,
    section="Finance",
    amounts=True,
)
