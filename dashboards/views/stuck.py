"""Stuck cases: the supervisor's queue of open cases that break a stuck rule, with drill-down
to the case's timeline (every event, call and message, with the source file and row).

Reads `marts.fct_stuck_cases` and `marts.fct_case_timeline` through `dashboards.queries`.
Filters (rule, owner, team, strategy, segment, case) are bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, queries, ui

RULE_KEY = "rule"
AGENT_KEY = "agent"
TEAM_KEY = "team"
STRATEGY_KEY = "strategy"
SEGMENT_KEY = "segment"
QUEUE_KEY = "stuck_queue"
RULE_LABELS = {
    "all": "Every rule",
    "stage_sla": "Stage SLA exceeded",
    "no_contact": "No contact for too long",
    "broken_promise_no_follow_up": "Broken promise, no follow-up",
}
QUEUE_COLUMNS = {
    "case_id": st.column_config.TextColumn("Case"),
    "rule": st.column_config.TextColumn("Rule"),
    "stuck_since": st.column_config.DateColumn("Stuck since", format="YYYY-MM-DD"),
    "days_elapsed": st.column_config.NumberColumn("Days", format="%,d"),
    "threshold_days": st.column_config.NumberColumn("Limit (days)", format="%,d"),
    "agent_id": st.column_config.TextColumn("Owner"),
    "team": st.column_config.TextColumn("Team"),
    "stage": st.column_config.TextColumn("Stage"),
    "strategy": st.column_config.TextColumn("Strategy"),
}


def _filters(agents: list[str]) -> tuple[str, str]:
    rule_col, agent_col = st.columns(2)
    with rule_col:
        rule = ui.choice(
            st.selectbox,
            "Rule",
            queries.STUCK_RULES,
            key=RULE_KEY,
            help=ui.codes_help(RULE_LABELS),
        )
    with agent_col:
        agent = blocks.owner(agents, key=AGENT_KEY)
    return rule, agent


def _narrow(queue: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The queue of one team, strategy and segment ('all': every one); and a file-name tag."""
    team_col, strategy_col, segment_col = st.columns([1, 1, 2])
    segment = ui.choice(
        segment_col.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True
    )
    return blocks.narrow(
        queue,
        [
            ("team", "Team", TEAM_KEY, team_col),
            ("strategy", "Strategy", STRATEGY_KEY, strategy_col),
        ],
        [("segment", segment)],
    )


def _render(warehouse: str, version: int) -> None:
    rule, agent = _filters(ui.query(queries.stuck_agents, warehouse, version))
    queue, narrowed = _narrow(ui.query(queries.stuck_cases, warehouse, version, rule, agent))
    cases = queue["case_id"].nunique()
    by_rule = queue.groupby("rule")["case_id"].nunique().to_dict()
    columns = st.columns(4)
    columns[0].metric("Stuck cases", ui.format_count(cases))
    for column, key in zip(columns[1:], list(RULE_LABELS)[1:], strict=True):
        column.metric(RULE_LABELS[key], ui.format_count(by_rule.get(key, 0)))
    if queue.empty:
        st.success("No open case breaks a stuck rule for this filter.")
        return
    blocks.case_table(
        warehouse,
        version,
        queue,
        key=QUEUE_KEY,
        file_name=f"stuck_cases_{rule}_{agent}_{narrowed}.csv",
        column_config=QUEUE_COLUMNS,
        code_labels={"rule": RULE_LABELS},
    )


ui.page(
    "Stuck cases",
    "Open cases with no stage change beyond the stage's SLA, no contact beyond the "
    "strategy's limit, or a broken promise without follow-up; thresholds in "
    "config/amicable.yml.",
    _render,
    section="Supervisor",
)
