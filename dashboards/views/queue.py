"""Work queue: the open cases in the order a supervisor would have them called, by expected
recovery (open amount in the reporting currency × the case's probability to pay within 30
days, `amicable.scores`), with the score's main reasons in plain words; drill from a case to
its timeline. Beside it, what happened by segment and jurisdiction next to the mean score of
the same groups, so the model's behaviour by group can be seen.

Reads `scores.case_scores` and `scores.models` (written by `amicable scores train` and the
builds after it), `marts.fct_case_score_features`, `marts.dim_cases` and `marts.fct_promises`
through `dashboards.queries`. Without a trained model, with a stale one, or with scores of an
older as-of date than the warehouse's, the page says so. Filters (segment, owner, team,
stage, case) are bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards import blocks, queries, ui

SEGMENT_KEY = "segment"
AGENT_KEY = "agent"
TEAM_KEY = "team"
STAGE_KEY = "stage"
QUEUE_KEY = "work_queue"
GROUPS_KEY = "score_groups"
NOT_EVIDENCE = (
    "A score is information for ordering the work, never evidence about a debtor or a case: "
    "an estimate from the case's history, it proves nothing and decides nothing."
)
DIMENSION_LABELS = {"segment": "Segment", "jurisdiction": "Jurisdiction"}


def _queue_columns() -> dict[str, object]:
    return {
        "case_id": st.column_config.TextColumn("Case"),
        "expected_recovery_rc": st.column_config.NumberColumn(
            ui.amount_label("Expected recovery"), format="%,.2f"
        ),
        "open_amount_rc": st.column_config.NumberColumn(
            ui.amount_label("Open amount"), format="%,.2f"
        ),
        "probability": st.column_config.NumberColumn("Pays within 30 days", format="percent"),
        "reasons": st.column_config.TextColumn("Why (main reasons of the score)", width="large"),
        "days_past_due": st.column_config.NumberColumn("Days past due", format="%,d"),
        "agent_id": st.column_config.TextColumn("Owner"),
        "team": st.column_config.TextColumn("Team"),
        "stage": st.column_config.TextColumn("Stage"),
        "strategy": st.column_config.TextColumn("Strategy"),
        "segment": st.column_config.TextColumn("Segment"),
        "jurisdiction": st.column_config.TextColumn("Jurisdiction"),
    }


GROUP_COLUMNS = {
    "dimension_value": st.column_config.TextColumn("Group"),
    "cases_scored": st.column_config.NumberColumn("Open cases scored", format="%,d"),
    "mean_score": st.column_config.NumberColumn("Mean score", format="percent"),
    "case_months_labelled": st.column_config.NumberColumn(
        "Case-months with an outcome", format="%,d"
    ),
    "paid_rate": st.column_config.NumberColumn("Paid within 30 days", format="percent"),
    "promises_decided": st.column_config.NumberColumn("Promises decided", format="%,d"),
    "kept_rate": st.column_config.NumberColumn("Promises kept", format="percent"),
}


def _state(scores: queries.WorkQueueScores) -> bool:
    """Say where the scores stand; whether there are scores to order the queue by."""
    scored = scores.scored
    if scores.latest_model_version is None:
        st.info(
            "No model is trained for this warehouse, so no case is scored and the queue cannot "
            "be ordered: run `amicable scores train` (the builds after it score the open cases)."
        )
        return False
    if not scores.model_usable:
        st.warning(f"{scores.model_message}. The scores below, if any, are the last ones it made.")
    if scored is None:
        st.info(
            f"Model {scores.latest_model_version} is trained but has scored no case yet: the "
            "next build scores the open cases (or run `amicable scores score`)."
        )
        return False
    if scored["as_of"] < scores.as_of:
        st.warning(
            f"These scores are as of {scored['as_of']:%Y-%m-%d}, from an older build than the "
            f"warehouse's as-of date {scores.as_of:%Y-%m-%d}: amounts are today's, probabilities "
            "are not, and cases opened since are not scored (they come last)."
        )
    elif scores.model_usable and scored["model_version"] != scores.latest_model_version:
        st.info(
            f"Model {scores.latest_model_version} was trained after these scores were made by "
            f"model {scored['model_version']}: the next build scores with it."
        )
    auc, brier = scored["test_auc"], scored["test_brier"]
    st.caption(
        f"Scores of model {scored['model_version']} ({str(scored['model_kind']).replace('_', ' ')}"
        f", {scored['calibration']} calibration), trained on cases scored from "
        f"{scored['train_from']:%Y-%m-%d} to {scored['train_to']:%Y-%m-%d}; held out "
        f"{scored['test_from']:%Y-%m-%d} to {scored['test_to']:%Y-%m-%d}: ROC AUC "
        f"{auc:.3f}, Brier {brier:.3f}. {ui.format_count(int(scored['cases_scored']))} open "
        f"cases scored as of {scored['as_of']:%Y-%m-%d}."
    )
    return True


def _filters(agents: list[str]) -> tuple[str, str]:
    segment_col, agent_col = st.columns(2)
    with segment_col:
        segment = ui.choice(st.radio, "Segment", queries.SEGMENTS, key=SEGMENT_KEY, horizontal=True)
    with agent_col:
        agent = blocks.owner(agents, key=AGENT_KEY)
    return segment, agent


def _narrow(queue: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The queue of one team and stage ('all': every one); and a file-name tag."""
    team_col, stage_col = st.columns(2)
    return blocks.narrow(
        queue, [("team", "Team", TEAM_KEY, team_col), ("stage", "Stage", STAGE_KEY, stage_col)]
    )


def _queue(warehouse: str, version: int) -> None:
    segment, agent = _filters(ui.query(queries.work_queue_agents, warehouse, version))
    queue, narrowed = _narrow(ui.query(queries.work_queue, warehouse, version, segment, agent))
    scored = queue["probability"].notna()
    columns = st.columns(3)
    columns[0].metric("Open cases", ui.format_count(len(queue)))
    columns[1].metric(
        ui.amount_label("Expected recovery"),
        ui.format_amount(queue["expected_recovery_rc"].sum(), None),
        help="The sum of open amount × probability to pay within 30 days of the scored cases.",
    )
    columns[2].metric("Not scored", ui.format_count(int((~scored).sum())))
    if queue.empty:
        st.info("No open case for this filter.")
        return
    blocks.case_table(
        warehouse,
        version,
        queue,
        key=QUEUE_KEY,
        file_name=f"work_queue_{segment}_{agent}_{narrowed}.csv",
        column_config=_queue_columns(),
    )


def _groups(warehouse: str, version: int) -> None:
    st.subheader("The score beside what happened, by group")
    st.caption(
        "The mean score of the open cases of each segment and jurisdiction beside the share of "
        "the group's past case-months paid within 30 days and its promises kept: a group whose "
        "mean score is far from what happened is one the model reads differently. Jurisdiction "
        "is not a feature of the score and no protected attribute is in the data contract "
        "(README, Case scores)."
    )
    groups = ui.query(queries.work_queue_groups, warehouse, version)
    for dimension, label in DIMENSION_LABELS.items():
        rows = groups[groups["dimension"] == dimension].drop(columns="dimension")
        st.markdown(f"**{label}**")
        blocks.table(
            rows,
            key=f"{GROUPS_KEY}_{dimension}",
            file_name=f"work_queue_by_{dimension}.csv",
            column_config=GROUP_COLUMNS,
        )


def _render(warehouse: str, version: int) -> None:
    st.info(NOT_EVIDENCE, icon=":material/info:")
    if _state(ui.query(queries.work_queue_scores, warehouse, version)):
        _queue(warehouse, version)
    _groups(warehouse, version)


ui.page(
    "Work queue",
    "The open cases by expected recovery: open amount × the probability that the case is "
    "paid (in full or by a completed plan) within 30 days, from the case score; each with the "
    "main reasons of its score. Amounts in the currency chosen in the sidebar.",
    _render,
    section="Supervisor",
    amounts=True,
)
