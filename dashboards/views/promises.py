"""Broken promises without follow-up: the broken and partially kept promises whose window ended
with no call or message on the case since, longest first, under the promise kept rates, with
drill-down to the case's timeline.

Reads `marts.fct_promises`, `marts.fct_case_timeline`, `marts.fct_promise_kept_rates` (and the
as-of date from `marts.fct_ar_ageing`) through `dashboards.queries`. Filters (agent, team,
segment, due, case) are bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, queries, ui

AGENT_KEY = "agent"
TEAM_KEY = "team"
SEGMENT_KEY = "segment"
DUE_KEY = "due"
LIST_KEY = "unfollowed_promises"

AMOUNT = "%.2f"
LIST_COLUMNS = {
    "case_id": st.column_config.TextColumn("Case"),
    "promise_id": st.column_config.TextColumn("Promise"),
    "outcome": st.column_config.TextColumn("Outcome"),
    "agent_id": st.column_config.TextColumn("Agent"),
    "team": st.column_config.TextColumn("Team"),
    "segment": st.column_config.TextColumn("Segment"),
    "window_end_date": st.column_config.DateColumn("Window ended", format="YYYY-MM-DD"),
    "days_since_window_end": st.column_config.NumberColumn("Days since", format="%,d"),
    "promised_amount": st.column_config.NumberColumn("Promised", format=AMOUNT),
    "paid_amount": st.column_config.NumberColumn("Paid", format=AMOUNT),
    "currency": st.column_config.TextColumn("Currency"),
    "promised_amount_rc": None,  # labelled with the display currency in `_list_columns`
    "stage_now": st.column_config.TextColumn("Stage now (blank: closed)"),
}


def _list_columns() -> dict[str, object]:
    promised = st.column_config.NumberColumn(ui.amount_label("Promised"), format=AMOUNT)
    return {**LIST_COLUMNS, "promised_amount_rc": promised}


def _options(warehouse: str, version: int) -> pd.DataFrame:
    return ui.query(queries.broken_promise_options, warehouse, version)


def _unfollowed(
    warehouse: str, version: int, agent: str, team: str, segment: str, due: str
) -> pd.DataFrame:
    return ui.query(queries.broken_promises, warehouse, version, agent, team, segment, due)


def _kept_rate(
    warehouse: str, version: int, dimension: str, value: str, due: str
) -> queries.KeptRate:
    return ui.query(queries.promise_kept_rate, warehouse, version, dimension, value, due)


def _choices(options: pd.DataFrame, column: str) -> list[str]:
    return [queries.ALL, *sorted(options[column].dropna().astype(str).unique())]


def _filters(options: pd.DataFrame) -> tuple[str, str, str, str]:
    agent_col, team_col, segment_col, due_col = st.columns(4)
    agent = ui.choice(agent_col.selectbox, "Agent", _choices(options, "agent_id"), key=AGENT_KEY)
    team = ui.choice(team_col.selectbox, "Team", _choices(options, "team"), key=TEAM_KEY)
    segment = ui.choice(
        segment_col.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True
    )
    due = ui.choice(
        due_col.selectbox,
        "Due month",
        _choices(options, "due_month"),
        key=DUE_KEY,
        help="Month of the promised date.",
    )
    return agent, team, segment, due


def kept_rate_scope(agent: str, team: str, segment: str) -> tuple[str, str]:
    """The `fct_promise_kept_rates` dimension and value behind the KPIs: the narrowest filter
    set (agent, else team, else segment, else all promises)."""
    for dimension, value in (("agent", agent), ("team", team), ("segment", segment)):
        if value != queries.ALL:
            return dimension, value
    return queries.ALL, queries.ALL


def _kpis(rate: queries.KeptRate, unfollowed: int, scope: tuple[str, str], due: str) -> None:
    count_col, amount_col, decided_col, list_col = st.columns(4)
    count_col.metric("Kept rate (count)", ui.format_share(rate.kept_rate_by_count))
    amount_col.metric(
        "Kept rate (amount)",
        ui.format_share(rate.kept_rate_by_amount),
        help="Promised amount of kept promises ÷ promised amount of decided promises, "
        "reporting currency.",
    )
    decided_col.metric("Promises decided", ui.format_count(rate.promises_decided))
    list_col.metric("Without follow-up", ui.format_count(unfollowed))
    whose = "every promise" if scope[0] == queries.ALL else f"{scope[0]} {scope[1]}"
    months = "every due month" if due == queries.ALL else f"due in {due}"
    st.caption(f"Kept rates of {whose}, {months} (pending promises left out).")


def _render(warehouse: str, version: int) -> None:
    agent, team, segment, due = _filters(_options(warehouse, version))
    unfollowed = _unfollowed(warehouse, version, agent, team, segment, due)
    scope = kept_rate_scope(agent, team, segment)
    _kpis(_kept_rate(warehouse, version, *scope, due), len(unfollowed), scope, due)
    if unfollowed.empty:
        st.success("No broken or partially kept promise lacks a follow-up for this filter.")
        return
    blocks.case_table(
        warehouse,
        version,
        unfollowed,
        key=LIST_KEY,
        file_name=f"broken_promises_{agent}_{team}_{segment}_{due}.csv",
        column_config=_list_columns(),
    )


ui.page(
    "Broken promises without follow-up",
    "Broken and partially kept promises with no call or message on the case after the "
    "promise window ended (promised date + grace days); days counted to the build's as-of date.",
    _render,
    section="Supervisor",
    amounts=True,
)
