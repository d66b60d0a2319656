"""Agent league table: each agent's attempts, right-party contacts, promises, amounts promised
and collected, promise kept rates and open caseload over a chosen period, with a bar chart of
one measure and drill-down from an agent to their daily results and promises, and on to a
case's timeline.

Reads `marts.fct_agent_daily`, `marts.fct_promise_kept_rates` and `marts.fct_promises` through
`dashboards.queries`. Filters (from, to, team, measure, agent, case) are bound to the URL's
query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

TEAM_KEY = "team"
MEASURE_KEY = "measure"
AGENT_KEY = "agent"
LEAGUE_KEY = "league"
CHART_KEY = "agent_chart"
DAILY_KEY = "agent_days"
PROMISES_KEY = "agent_promises"

AMOUNT = "%.2f"
RATE = "percent"
LEAGUE_COLUMNS = {
    "agent_id": st.column_config.TextColumn("Agent"),
    "team": st.column_config.TextColumn("Team"),
    "call_attempts": st.column_config.NumberColumn("Attempts", format="%,d"),
    "right_party_contacts": st.column_config.NumberColumn("RPC", format="%,d"),
    "rpc_rate": st.column_config.NumberColumn("RPC rate", format=RATE),
    "promises_made": st.column_config.NumberColumn("Promises made", format="%,d"),
    "promised_amount_rc": st.column_config.NumberColumn("Promised", format=AMOUNT),
    "collected_amount_rc": st.column_config.NumberColumn("Collected", format=AMOUNT),
    "promises_decided": st.column_config.NumberColumn("Promises due", format="%,d"),
    "kept_rate_by_count": st.column_config.NumberColumn("Kept (count)", format=RATE),
    "kept_rate_by_amount": st.column_config.NumberColumn("Kept (amount)", format=RATE),
    "open_caseload": st.column_config.NumberColumn("Open caseload", format="%,d"),
}
MEASURES = {  # the label is the URL value: ?measure=RPC+rate
    "collected_amount_rc": "Collected",
    "promised_amount_rc": "Promised",
    "call_attempts": "Attempts",
    "right_party_contacts": "RPC",
    "rpc_rate": "RPC rate",
    "promises_made": "Promises made",
    "kept_rate_by_count": "Kept (count)",
    "kept_rate_by_amount": "Kept (amount)",
    "open_caseload": "Open caseload",
}


def _months(warehouse: str, version: int) -> list[str]:
    return ui.query(queries.agent_months, warehouse, version)


def _teams(warehouse: str, version: int) -> list[str]:
    return ui.query(queries.agent_teams, warehouse, version)


def _league(warehouse: str, version: int, first: str, last: str, team: str) -> pd.DataFrame:
    return ui.query(queries.agent_league, warehouse, version, first, last, team)


def _daily(warehouse: str, version: int, agent: str, first: str, last: str) -> pd.DataFrame:
    return ui.query(queries.agent_daily, warehouse, version, agent, first, last)


def _promises(warehouse: str, version: int, agent: str, first: str, last: str) -> pd.DataFrame:
    return ui.query(queries.agent_promises, warehouse, version, agent, first, last)


def _filters(months: list[str], teams: list[str]) -> tuple[str, str, str]:
    period_col, team_col = st.columns([2, 1])
    with period_col:
        first, last = blocks.month_range(
            months, help="Results of the days in these months; kept rates of promises due then."
        )
    with team_col:
        team = ui.choice(st.selectbox, "Team", [queries.ALL, *teams], key=TEAM_KEY)
    return first, last, team


def _bar_clicked(agents: list[str]) -> None:
    state = st.session_state.get(CHART_KEY)
    agent = charts.x_from_selection(state.get("selection") if state else None, agents)
    if agent is not None:
        st.session_state[AGENT_KEY] = agent


def _drill(warehouse: str, version: int, agent: str, first: str, last: str) -> None:
    st.subheader(f"Agent {agent}, {first} to {last}")
    daily = _daily(warehouse, version, agent, first, last)
    st.caption(f"{ui.format_count(len(daily))} days with results, newest first.")
    blocks.table(daily, key=DAILY_KEY, file_name=f"agent_{agent}_{first}_{last}_days.csv")
    promises = _promises(warehouse, version, agent, first, last)
    st.caption(
        f"{ui.format_count(len(promises))} promises recorded by {agent} falling due in the "
        "period; click one to open its case."
    )
    blocks.case_table(
        warehouse,
        version,
        promises,
        key=PROMISES_KEY,
        file_name=f"agent_{agent}_{first}_{last}_promises.csv",
    )


def _render(warehouse: str, version: int) -> None:
    months = _months(warehouse, version)
    if not months:
        st.info("The agents' daily results are empty: no call, promise or caseload yet.")
        return
    first, last, team = _filters(months, _teams(warehouse, version))
    if first > last:
        st.info("The period is empty: 'From month' comes after 'To month'.")
        return
    league = _league(warehouse, version, first, last, team)
    if league.empty:
        st.info("No agent of this team has results in this period.")
        return
    agents = list(league["agent_id"])
    measure_col, agent_col = st.columns(2)
    measure = ui.choice(
        measure_col.selectbox,
        "Measure to chart",
        list(MEASURES),
        format_func=MEASURES.get,
        key=MEASURE_KEY,
    )
    agent = ui.choice(
        agent_col.selectbox,
        "Agent to open",
        agents,
        index=None,
        placeholder="Click a bar or a row, or choose an agent",
        key=AGENT_KEY,
    )
    figure = charts.agent_bar_chart(league, measure, MEASURES[measure], selected_agent=agent)
    st.plotly_chart(
        figure,
        key=CHART_KEY,
        on_select=lambda: _bar_clicked(agents),
        selection_mode="points",
    )
    blocks.table(
        league,
        key=LEAGUE_KEY,
        file_name=f"agents_{first}_{last}_{team}.csv",
        column_config=LEAGUE_COLUMNS,
        on_select=blocks.drill_to(LEAGUE_KEY, AGENT_KEY, agents),
    )
    if agent is not None:
        _drill(warehouse, version, agent, first, last)


ui.page(
    "Agent league table",
    "Per agent over the chosen months: RPC rate = right-party contacts ÷ call attempts; "
    "amounts in the currency chosen in the sidebar; open caseload on the period's last day; "
    "kept rates of the "
    "promises the agent recorded that fell due in the period.",
    _render,
    section="Supervisor",
    amounts=True,
)
