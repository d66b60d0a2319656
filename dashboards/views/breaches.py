"""Breaches: the auditor's view of the compliance rules, by rule and by agent, down to each
breach, its evidence records and the case file.

Reads `marts.fct_compliance_summary`, `marts.fct_compliance_agent_months` and
`marts.fct_compliance_breaches` through `dashboards.queries`, which sum the published breaches
and contacts and divide (the page only shows them). Filters (from, to, rule, agent,
jurisdiction, case) are bound to the URL's query parameters; a click on a rule's bar chooses
the rule, a click on an agent's row chooses the agent, a click on a breach opens its case. A
rule's rate counts only the contacts of the jurisdictions it governs (the summary has a row
per rule for those only), so a US rule is not diluted by contacts on French cases.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

RULE_KEY = "rule"
AGENT_KEY = "agent"
JURISDICTION_KEY = "jurisdiction"
CHART_KEY = "breaches_by_rule_chart"
LIST_KEY = "breach_list"
AGENT_TABLE_KEY = "breaches_by_agent"
RATE_RULE = (
    f"A rate per 1,000 contacts is shown from {queries.MIN_CONTACTS_FOR_RATE} outbound contacts "
    "up; below that it is left empty, as one breach more or less would swing it by tens."
)
BREACH_COLUMNS = {
    "case_id": st.column_config.TextColumn("Case"),
    "rule_id": st.column_config.TextColumn("Rule"),
    "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "agent_id": st.column_config.TextColumn("Agent"),
    "jurisdiction": st.column_config.TextColumn("Jurisdiction"),
    "is_unverifiable": st.column_config.CheckboxColumn("Unverifiable"),
    "parameters": st.column_config.TextColumn("Parameter in force"),
    "legal_reference": st.column_config.TextColumn("Legal reference"),
    "evidence_ids": st.column_config.TextColumn("Evidence records"),
}


def _rounded(rates: pd.DataFrame) -> pd.DataFrame:
    """The table as shown: the published rate per 1,000 contacts to 2 places."""
    return rates.assign(breaches_per_1000_contacts=rates["breaches_per_1000_contacts"].round(2))


def _rule_clicked(rules: list[str]) -> None:
    state = st.session_state.get(CHART_KEY)
    rule = charts.x_from_selection(state.get("selection") if state else None, rules)
    if rule is not None:
        st.session_state[RULE_KEY] = rule


def _filters(summary: pd.DataFrame) -> tuple[str, str, str]:
    rule_col, agent_col, jurisdiction_col = st.columns(3)
    rule = ui.choice(rule_col.selectbox, "Rule", blocks.choices(summary, "rule_id"), key=RULE_KEY)
    agent = ui.choice(
        agent_col.selectbox, "Agent", blocks.choices(summary, "agent_id"), key=AGENT_KEY
    )
    jurisdiction = ui.choice(
        jurisdiction_col.selectbox,
        "Jurisdiction",
        blocks.choices(summary, "jurisdiction"),
        key=JURISDICTION_KEY,
    )
    return rule, agent, jurisdiction


def _rate_text(kpis: queries.BreachKpis) -> str:
    """The rate to 2 places; none below the minimum of contacts, saying how many there were."""
    rate = kpis.breaches_per_1000_contacts
    if rate is not None:
        return f"{rate:.2f}"
    if kpis.outbound_contacts:
        return f"too few contacts ({ui.format_count(kpis.outbound_contacts)})"
    return "n/a"


def _kpis(kpis: queries.BreachKpis) -> None:
    columns = st.columns(4)
    columns[0].metric("Breaches", ui.format_count(kpis.breaches))
    columns[1].metric("Outbound contacts", ui.format_count(kpis.outbound_contacts))
    columns[2].metric("Per 1,000 contacts", _rate_text(kpis), help=RATE_RULE)
    columns[3].metric("Unverifiable contacts", ui.format_count(kpis.unverifiable_contacts))


def _breach_list(
    warehouse: str, version: int, first: str, last: str, rule: str, agent: str, jurisdiction: str
) -> None:
    rows = ui.query(queries.breach_rows, warehouse, version, first, last, rule, agent, jurisdiction)
    st.subheader("Breaches")
    if rows.empty:
        st.info("No breach for this filter.")
        return
    st.caption(
        f"{len(rows)} breaches, newest first; the evidence records are the ids of the contact "
        "events, case events and letters that prove each one. Click a row to open its case."
    )
    cases = list(rows["case_id"])
    blocks.table(
        rows,
        key=LIST_KEY,
        file_name=f"breaches_{first}_{last}_{rule}_{agent}_{jurisdiction}.csv",
        column_config=BREACH_COLUMNS,
        on_select=blocks.drill_to(LIST_KEY, blocks.CASE_KEY, cases),
    )
    case_id = ui.choice(
        st.selectbox,
        "Open a case",
        sorted(set(cases)),
        index=None,
        placeholder="Choose a case, or click its row",
        key=blocks.CASE_KEY,
    )
    if case_id is not None:
        st.markdown(f"[Open the case file of {case_id}](casefile?case={case_id})")
        blocks.case_timeline(warehouse, version, case_id)


def _render(warehouse: str, version: int) -> None:
    months = ui.query(queries.breach_months, warehouse, version)
    if not months:
        st.info("The compliance marts hold no contact yet: run `amicable build`.")
        return
    first, last = blocks.month_range(months)
    if first > last:
        st.warning("The first month comes after the last: choose a range.")
        return
    summary = ui.query(queries.breach_summary, warehouse, version, first, last)
    rule, agent, jurisdiction = _filters(summary)
    _kpis(ui.query(queries.breach_kpis, warehouse, version, first, last, rule, agent, jurisdiction))
    by_rule = _rounded(
        ui.query(queries.breaches_by_rule, warehouse, version, first, last, agent, jurisdiction)
    )
    chart_col, table_col = st.columns([3, 2])
    with chart_col:
        st.plotly_chart(
            charts.breaches_by_rule_chart(
                by_rule, selected_rule=None if rule == queries.ALL else rule
            ),
            key=CHART_KEY,
            on_select=lambda: _rule_clicked(list(by_rule["rule_id"])),
            selection_mode="points",
        )
    with table_col:
        blocks.table(
            by_rule,
            key="breaches_by_rule",
            file_name=f"breaches_by_rule_{first}_{last}_{jurisdiction}.csv",
        )
    st.subheader("By agent")
    st.caption(
        "Click an agent's row to list their breaches only (clear it for every agent). " + RATE_RULE
    )
    by_agent = _rounded(
        ui.query(queries.breaches_by_agent, warehouse, version, first, last, rule, jurisdiction)
    )
    agents = [queries.ALL if pd.isna(agent) else agent for agent in by_agent["agent_id"]]
    blocks.table(
        by_agent,
        key=AGENT_TABLE_KEY,
        file_name=f"breaches_by_agent_{first}_{last}_{rule}_{jurisdiction}.csv",
        on_select=blocks.drill_to(AGENT_TABLE_KEY, AGENT_KEY, agents, cleared=queries.ALL),
    )
    _breach_list(warehouse, version, first, last, rule, agent, jurisdiction)


ui.page(
    "Compliance breaches",
    "Breaches of the jurisdiction's rule pack (config/rule_packs/) per rule and agent; rate = "
    "breaches ÷ outbound calls and messages on the cases the rule governs × 1,000. Months of "
    f"the contact in UTC; no rate below {queries.MIN_CONTACTS_FOR_RATE} contacts.",
    _render,
    section="Auditor",
)
