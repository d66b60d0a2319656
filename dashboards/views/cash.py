"""Expected cash: pending promises falling due in the next 7 and 30 days, as promised and
weighted by the measured kept rate, per agent and segment, and weighted by each promise's own
score promise_kept (`scores.promise_scores`, when scored); drill to the promises and a case.

Reads `marts.fct_cash_expected` (with `marts.fct_promises` and `marts.fct_case_timeline` for
the drill-down) through `dashboards.queries`; the weights and rates come from the mart, the
page only filters and sums. Filters (segment, agent) and the case are bound to the URL.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, charts, queries, ui

SEGMENT_KEY = "segment"
AGENT_KEY = "agent"
CHART_KEY = "cash_chart"

BASIS_LABELS = {
    "agent_segment": "agent in segment",
    "segment": "segment",
    "all": "overall",
}
PROMISE_COLUMNS = {
    "promise_id": st.column_config.TextColumn("Promise"),
    "case_id": st.column_config.TextColumn("Case"),
    "agent_id": st.column_config.TextColumn("Agent"),
    "segment": st.column_config.TextColumn("Segment"),
    "made_at": st.column_config.DatetimeColumn("Made at", format="YYYY-MM-DD HH:mm"),
    "promised_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD"),
    "days_until_due": st.column_config.NumberColumn("Days to due", format="%,d"),
    "promised_amount": st.column_config.NumberColumn("Promised", format="%,.2f"),
    "currency": st.column_config.TextColumn("Currency"),
    "remaining_amount_rc": st.column_config.NumberColumn("Still to come", format="%,.2f"),
    "kept_rate_used": st.column_config.NumberColumn("Kept rate", format="percent"),
    "expected_amount_rc": st.column_config.NumberColumn("Expected", format="%,.2f"),
}


def _agents(warehouse: str, version: int) -> list[str]:
    return ui.query(queries.cash_expected_agents, warehouse, version)


def _by_agent(warehouse: str, version: int, segment: str, agent: str) -> pd.DataFrame:
    return ui.query(queries.cash_expected_by_agent, warehouse, version, segment, agent)


def _promises(warehouse: str, version: int, segment: str, agent: str) -> pd.DataFrame:
    return ui.query(queries.cash_expected_promises, warehouse, version, segment, agent)


def _bar_clicked() -> None:
    """Chart callback: a click on a bar narrows the page to that agent and segment."""
    state = st.session_state.get(CHART_KEY)
    chosen = charts.agent_segment_from_selection(state.get("selection") if state else None)
    if chosen is not None and chosen[1] in queries.SEGMENTS:
        st.session_state[AGENT_KEY], st.session_state[SEGMENT_KEY] = chosen


def _filters(agents: list[str]) -> tuple[str, str]:
    segment_col, agent_col = st.columns(2)
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with agent_col:
        agent = ui.choice(st.selectbox, "Agent", ["all", *agents], key=AGENT_KEY)
    return segment, agent


def _kpi_row(by_agent: pd.DataFrame, currency: str) -> None:
    columns = st.columns(4)
    for column, (field, label) in zip(columns, charts.CASH_SERIES.items(), strict=True):
        column.metric(
            f"{label} ({currency})",
            ui.format_amount(by_agent[field].sum(), None),
            help=None
            if field.startswith("remaining")
            else "Σ still to come × kept rate by amount of the promise's basis cell.",
        )
    unweighted = int(by_agent["unweighted_promises"].sum())
    if unweighted:
        st.warning(
            f"{unweighted} promises have no measurable kept rate (no decided promise yet): "
            "they are left out of the weighted figures, not counted as zero."
        )


def _scored_row(warehouse: str, version: int, segment: str, agent: str, currency: str) -> None:
    """The same promises each weighted by its own promise_kept score (scored from the promise's
    eve), beside the measured rate; without scores, the page says the measured rate stands
    alone."""
    usable, message = ui.query(queries.cash_expected_score_status, warehouse, version)
    scored = ui.query(queries.cash_expected_scored, warehouse, version, segment, agent)
    name = queries.CASH_EXPECTED_SCORE
    alone = "the weighting by the measured kept rate above stands alone."
    if scored.empty:  # no scoring run of promises yet
        why = "score them with `amicable scores score` or a build" if usable else message
        st.info(f"No promise has a {name} score yet ({why}): {alone}")
        return
    if scored["model_version"].isna().all():
        st.info(
            f"The latest {name} scoring run scored none of these promises (made since it, or "
            f"made the day their case opened: no day before to score from): {alone}"
        )
        return
    if not usable:
        st.warning(f"{message}. The score-weighted figures are of the last scores it made.")
    columns = st.columns(4)
    due_7d = scored["is_due_within_7_days"].astype(bool)
    figures = {
        "Weighted by score, next 7 days": scored.loc[due_7d, "scored_amount_rc"].sum(),
        "Weighted by score, next 30 days": scored["scored_amount_rc"].sum(),
    }
    for column, (label, amount) in zip(columns[1::2], figures.items(), strict=True):
        column.metric(
            f"{label} ({currency})",
            ui.format_amount(amount, None),
            help=f"Σ still to come × the promise's probability of score {name}.",
        )
    run = scored.dropna(subset=["model_version"]).iloc[0]
    st.caption(
        f"Weighted by score {name}: each promise × the probability that it is kept, from its "
        f"case as it stood the day before the promise was made (model {run['model_version']}, "
        f"scores as of {run['scores_as_of']:%Y-%m-%d}), beside the measured kept rate above. "
        "A score is an estimate, never evidence."
    )
    unscored = int(scored["model_version"].isna().sum())
    if unscored:
        st.caption(
            f"{unscored} promises that scoring run did not score are left out, not counted as "
            "zero: made since it, or made the day their case opened (no day before to score "
            "from)."
        )


def _agent_table(by_agent: pd.DataFrame, currency: str, segment: str, agent: str) -> None:
    st.subheader("By agent and segment")
    shown = by_agent.assign(
        kept_rate_basis=by_agent["kept_rate_basis"].map(BASIS_LABELS).fillna("no rate")
    )
    amount = {
        field: st.column_config.NumberColumn(f"{label} ({currency})", format="%,.2f")
        for field, label in charts.CASH_SERIES.items()
    }
    columns = {
        "agent_id": st.column_config.TextColumn("Agent"),
        "segment": st.column_config.TextColumn("Segment"),
        "promises": st.column_config.NumberColumn("Promises", format="%,d"),
        "kept_rate_used": st.column_config.NumberColumn("Kept rate", format="percent"),
        "kept_rate_basis": st.column_config.TextColumn("Rate measured on"),
        **amount,
    }
    blocks.table(
        shown,
        key="cash_by_agent",
        file_name=f"cash_expected_{segment}_{agent}.csv",
        column_config=columns,
    )


def _promise_drill(
    warehouse: str, version: int, promises: pd.DataFrame, segment: str, agent: str
) -> None:
    st.subheader("Promises")
    st.caption(
        f"{ui.format_count(len(promises))} pending promises due in the next 30 days, segment "
        f"{segment}, agent {agent}; amounts in the currency chosen in the sidebar unless a "
        "column says otherwise."
    )
    blocks.case_table(
        warehouse,
        version,
        promises,
        key="promises",
        file_name=f"promises_{segment}_{agent}.csv",
        column_config=PROMISE_COLUMNS,
    )


def _render(warehouse: str, version: int) -> None:
    segment, agent = _filters(_agents(warehouse, version))
    by_agent = _by_agent(warehouse, version, segment, agent)
    if by_agent.empty:
        st.info(
            f"No pending promise falls due in the next 30 days for segment {segment} and "
            f"agent {agent}."
        )
        return
    currency = str(by_agent["reporting_currency"].iloc[0])
    _kpi_row(by_agent, currency)
    _scored_row(warehouse, version, segment, agent, currency)
    figure = charts.cash_expected_chart(by_agent, reporting_currency=currency)
    st.plotly_chart(figure, key=CHART_KEY, on_select=_bar_clicked, selection_mode="points")
    _agent_table(by_agent, currency, segment, agent)
    _promise_drill(
        warehouse, version, _promises(warehouse, version, segment, agent), segment, agent
    )


ui.page(
    "Expected cash",
    "Pending promises falling due from the build's as-of date to 30 days after it. Promised = "
    "what is still to come on each promise; weighted = that × the kept rate by amount measured "
    "on the promises decided in the look-back window, for the promise's agent in its segment "
    "when that holds enough of them, else for the segment, else overall (`cash_expected` in "
    "config/amicable.yml). "
    "Amounts in the currency chosen in the sidebar.",
    _render,
    section="Finance",
    amounts=True,
)
