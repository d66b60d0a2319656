"""Stage flow: how cases move between stages (a Sankey of the directly-follows graph), where
they wait longest (the bottleneck table) and how long each stage lasts, with drill-down from a
transition to the cases that made it and on to a case's timeline.

Reads `marts.fct_case_stage_durations` (the row-level source of `marts.fct_stage_transitions`,
which carries the move date, segment, strategy and the current owner's team) through
`dashboards.queries`. Filters (from, to, segment, strategy, team, sort, transition, case) are
bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

SEGMENT_KEY = "segment"
STRATEGY_KEY = "strategy"
TEAM_KEY = "team"
SORT_KEY = "sort"
TRANSITION_KEY = "transition"
FLOW_TABLE_KEY = "bottlenecks"
MOVES_KEY = "transition_cases"
STAGE_TIME_KEY = "stage_time"
SEPARATOR = " to "  # "contact to closed": readable in the URL (?transition=contact+to+closed)
SORTS = {"median_duration_days": "median", "p90_duration_days": "p90"}  # labels: URL values

FLOW_COLUMNS = {
    "from_stage": st.column_config.TextColumn("From"),
    "to_stage": st.column_config.TextColumn("To"),
    "case_count": st.column_config.NumberColumn("Cases", format="%,d"),
    "transition_count": st.column_config.NumberColumn("Moves", format="%,d"),
    "median_duration_days": st.column_config.NumberColumn("Median days", format="%,.1f"),
    "p90_duration_days": st.column_config.NumberColumn("P90 days", format="%,.1f"),
}
STAGE_TIME_COLUMNS = {
    "stage": st.column_config.TextColumn("Stage"),
    "stays_completed": st.column_config.NumberColumn("Stays ended", format="%,d"),
    "median_days": st.column_config.NumberColumn("Median days", format="%,.1f"),
    "p90_days": st.column_config.NumberColumn("P90 days", format="%,.1f"),
    "stays_running": st.column_config.NumberColumn("Running now", format="%,d"),
    "median_running_days": st.column_config.NumberColumn("Median days so far", format="%,.1f"),
}
MOVE_COLUMNS = {
    "case_id": st.column_config.TextColumn("Case"),
    "entered_at": st.column_config.DatetimeColumn("Entered", format="YYYY-MM-DD HH:mm"),
    "left_at": st.column_config.DatetimeColumn("Left", format="YYYY-MM-DD HH:mm"),
    "duration_days": st.column_config.NumberColumn("Days in stage", format="%,.1f"),
    "segment": st.column_config.TextColumn("Segment"),
    "strategy": st.column_config.TextColumn("Strategy"),
    "owner_agent_id": st.column_config.TextColumn("Owner"),
    "owner_team": st.column_config.TextColumn("Team"),
}
Filters = tuple[str, str, str, str, str]  # from month, to month, segment, strategy, team


def _months(warehouse: str, version: int) -> list[str]:
    return ui.query(queries.flow_months, warehouse, version)


def _flow(warehouse: str, version: int, filters: Filters) -> pd.DataFrame:
    return ui.query(queries.stage_flow, warehouse, version, *filters)


def _stage_time(warehouse: str, version: int, filters: Filters) -> pd.DataFrame:
    return ui.query(queries.stage_time, warehouse, version, *filters)


def _moves(warehouse: str, version: int, transition: str, filters: Filters) -> pd.DataFrame:
    source, target = transition.split(SEPARATOR)
    return ui.query(queries.stage_moves, warehouse, version, source, target, *filters)


def _filters(warehouse: str, version: int, months: list[str]) -> Filters:
    strategies = ui.query(queries.flow_strategies, warehouse, version)
    teams = ui.query(queries.flow_teams, warehouse, version)
    period_col, segment_col, strategy_col, team_col = st.columns([2, 1, 1, 1])
    with period_col:
        first, last = blocks.month_range(months, help="Month the case left the stage.")
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with strategy_col:
        strategy = ui.choice(st.selectbox, "Strategy", [queries.ALL, *strategies], key=STRATEGY_KEY)
    with team_col:
        team = ui.choice(
            st.selectbox,
            "Team",
            [queries.ALL, *teams],
            key=TEAM_KEY,
            help="Team of the case's current owner.",
        )
    return first, last, segment, strategy, team


def _bottlenecks(flow: pd.DataFrame, transitions: list[str], file_name: str) -> None:
    st.subheader("Bottlenecks")
    sort = ui.choice(st.radio, "Sort by", list(SORTS), format_func=SORTS.get, key=SORT_KEY)
    ranked = flow.assign(transition=transitions).sort_values(sort, ascending=False, kind="stable")
    blocks.table(
        ranked,
        key=FLOW_TABLE_KEY,
        file_name=file_name,
        column_config=FLOW_COLUMNS,
        on_select=blocks.drill_to(FLOW_TABLE_KEY, TRANSITION_KEY, list(ranked["transition"])),
    )


def _time_in_stage(stage_time: pd.DataFrame, file_name: str) -> None:
    st.subheader("Time in stage")
    st.caption("Stays ended in the period; stays running at the build's as-of date.")
    blocks.table(
        stage_time, key=STAGE_TIME_KEY, file_name=file_name, column_config=STAGE_TIME_COLUMNS
    )


def _drill(warehouse: str, version: int, transition: str, filters: Filters) -> None:
    st.subheader(f"Cases that moved from {transition}")
    moves = _moves(warehouse, version, transition, filters)
    st.caption(f"{ui.format_count(len(moves))} moves, longest stay first.")
    name = transition.replace(SEPARATOR, "_to_")
    blocks.case_table(
        warehouse,
        version,
        moves,
        key=MOVES_KEY,
        file_name=f"stage_flow_{name}_{'_'.join(filters)}.csv",
        column_config=MOVE_COLUMNS,
    )


def _render(warehouse: str, version: int) -> None:
    months = _months(warehouse, version)
    if not months:
        st.info("No case has left a stage yet, so there is no flow to draw.")
        return
    filters = _filters(warehouse, version, months)
    if filters[0] > filters[1]:
        st.info("The period is empty: 'From month' comes after 'To month'.")
        return
    flow = _flow(warehouse, version, filters)
    if flow.empty:
        st.info("No case left a stage in this period for this segment, strategy and team.")
        return
    pairs = zip(flow["from_stage"], flow["to_stage"], strict=True)
    transitions = [f"{source}{SEPARATOR}{target}" for source, target in pairs]
    transition = ui.choice(
        st.selectbox,
        "Transition to list",
        transitions,
        index=None,
        placeholder="Click a bottleneck row, or choose a transition, to list its cases",
        key=TRANSITION_KEY,
    )
    moves_col, slowest_col = st.columns(2)
    moves_col.metric("Moves", ui.format_count(int(flow["transition_count"].sum())))
    slowest = flow.iloc[0]  # longest median first
    slowest_col.metric(
        "Slowest transition (median days)",
        f"{slowest['median_duration_days']:.1f}",
        help=f"{slowest['from_stage']} → {slowest['to_stage']}",
    )
    selected = tuple(transition.split(SEPARATOR)) if transition else None
    st.plotly_chart(charts.stage_sankey(flow, selected=selected), key="stage_sankey")
    suffix = "_".join(filters)
    table_col, stage_col = st.columns([3, 2])
    with table_col:
        _bottlenecks(flow, transitions, f"stage_flow_{suffix}.csv")
    with stage_col:
        _time_in_stage(_stage_time(warehouse, version, filters), f"time_in_stage_{suffix}.csv")
    if transition is not None:
        _drill(warehouse, version, transition, filters)


ui.page(
    "Stage flow",
    "Moves between stages in the chosen months (closed included; reopenings left out). "
    "Durations are the days a case spent in the stage it left: median and 90th percentile.",
    _render,
    section="Supervisor",
)
