"""Data health: is the data behind the figures fresh, complete and checked?

Freshness per source, the latest run's check results (failures first, with their failing
keys), the rows in quarantine with the rejected rows themselves, the score models (each
score's latest model: used or, when missing, changed or stale, not used, and why) and the run
history. Reads the pipeline's own records (`raw._loads`, `raw.quarantine`,
`quality.check_results`, `quality.source_freshness`, `scores.models` and the model files)
through `dashboards.queries`. Filters (run, status, source) are
bound to the URL's query parameters.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from amicable.scores.store import MAX_AGE_DAYS
from dashboards import blocks, queries, ui

BUILD_KEY = "build"
RUN_KEY = "run"
STATUS_KEY = "status"
SOURCE_KEY = "source"
RUNS_SHOWN = 20
QUARANTINE_ROWS_SHOWN = 500
STATUS_LABELS = {
    "all": "Every status",
    "fail": "Failed",
    "warn": "Warning",
    "skipped": "Not run (a step before it failed)",
    "pass": "Passed",
}


def _freshness(warehouse: str, version: int, run_id: str) -> None:
    st.subheader("Freshness per source")
    try:
        freshness = ui.query(queries.health_freshness, warehouse, version, run_id)
    except queries.WarehouseNotBuilt:
        st.info("This warehouse has no freshness records yet: run `amicable build`.")
        return
    if freshness.empty:
        st.info("This run evaluated no freshness.")
        return
    stale = freshness[freshness["status"] == "stale"]
    if stale.empty:
        st.success(f"All {len(freshness)} sources are within their expected cadence.")
    else:
        names = ", ".join(stale["source_table"])
        st.warning(f"{len(stale)} stale source(s): {names}.", icon=":material/schedule:")
    blocks.table(freshness, key="freshness", file_name=f"freshness_{run_id}.csv")


def _checks(warehouse: str, version: int, run_id: str) -> None:
    st.subheader("Check results")
    status = ui.choice(
        st.selectbox,
        "Status",
        queries.CHECK_STATUSES,
        key=STATUS_KEY,
        help=ui.codes_help(STATUS_LABELS),
    )
    every = ui.query(queries.health_checks, warehouse, version, run_id, "all")
    counts = every["status"].value_counts().to_dict()
    columns = st.columns(4)
    columns[0].metric("Failed", ui.format_count(counts.get("fail", 0)))
    columns[1].metric("Warnings", ui.format_count(counts.get("warn", 0)))
    columns[2].metric("Not run", ui.format_count(counts.get("skipped", 0)))
    columns[3].metric("Passed", ui.format_count(counts.get("pass", 0)))
    shown = every if status == "all" else every[every["status"] == status]
    if shown.empty:
        st.info("No check of this status in this run.")
        return
    blocks.table(shown, key="checks", file_name=f"checks_{run_id}_{status}.csv")


def _quarantine(warehouse: str, version: int) -> None:
    st.subheader("Quarantine")
    summary = ui.query(queries.health_quarantine_summary, warehouse, version)
    if summary.empty:
        st.success("No row has been quarantined.")
        return
    st.caption(
        f"{ui.format_count(int(summary['rows_quarantined'].sum()))} rows kept out of the "
        "warehouse, by source and reason, over every load. Choose a source to read them."
    )
    blocks.table(summary, key="quarantine_summary", file_name="quarantine_summary.csv")
    sources = ["all", *sorted(summary["source_table"].unique())]
    source = ui.choice(st.selectbox, "Rejected rows of", sources, key=SOURCE_KEY)
    rows = ui.query(
        queries.health_quarantine_rows, warehouse, version, source, QUARANTINE_ROWS_SHOWN
    )
    st.caption(
        f"{len(rows)} rejected rows (newest first, at most {QUARANTINE_ROWS_SHOWN} shown; the "
        "CSV holds every one), each with its file, row, field and reason."
    )
    blocks.table(
        rows,
        key="quarantine_rows",
        file_name=f"quarantine_{source}.csv",
        every_row=ui.deferred(queries.health_quarantine_rows, warehouse, version, source),
    )


SCORE_MODEL_COLUMNS = {
    "score": st.column_config.TextColumn("Score"),
    "in_use": st.column_config.CheckboxColumn("Used by the builds"),
    "status": st.column_config.TextColumn("Status", width="large"),
    "model_version": st.column_config.TextColumn("Model"),
    "trained_at": st.column_config.DatetimeColumn("Trained (UTC)", format="YYYY-MM-DD HH:mm"),
    "trained_on": st.column_config.TextColumn("Trained on"),
    "train_from": st.column_config.DateColumn("Training rows from"),
    "train_to": st.column_config.DateColumn("to"),
    "history_to": st.column_config.DateColumn("History up to"),
    "age_days": st.column_config.NumberColumn("Age (days)", format="%d"),
    "test_auc": st.column_config.NumberColumn("ROC AUC (held out)", format="%.3f"),
    "test_brier": st.column_config.NumberColumn("Brier (held out)", format="%.3f"),
}


def _score_models(warehouse: str, version: int) -> None:
    st.subheader("Score models")
    try:
        models = ui.query(queries.health_score_models, warehouse, version)
    except queries.WarehouseNotBuilt:
        st.info("This warehouse has no published marts yet: run `amicable build`.")
        return
    st.caption(
        "Each case score's latest model at the warehouse's as-of date, by the rule the scoring "
        "itself follows: a model is used only when its file is there unchanged (SHA-256), its "
        "features are this version's and its training history ends at most "
        f"{MAX_AGE_DAYS} days before the as-of date (its age); otherwise the builds do not "
        "score with it, and the status says why. Train with `amicable scores train`."
    )
    for row in models.itertuples():
        if row.in_use:
            st.success(f"{row.status}: in use.", icon=":material/check_circle:")
        elif pd.isna(row.model_version):
            st.info(f"{row.status}.", icon=":material/info:")
        else:
            st.warning(f"{row.status}.", icon=":material/warning:")
    blocks.table(
        models,
        key="score_models",
        file_name="score_models.csv",
        column_config=SCORE_MODEL_COLUMNS,
    )


def _render(warehouse: str, version: int) -> None:
    rejected = ui.rejected_build()
    if rejected is not None:
        shown = ui.choice(
            st.radio,
            "Build",
            ["rejected", "published"],
            format_func={
                "rejected": "Latest build (not published: a check blocks it)",
                "published": "Published build (the figures on the other pages)",
            }.get,
            key=BUILD_KEY,
            horizontal=True,
        )
        if shown == "rejected":
            warehouse, version = rejected
    runs = ui.query(queries.health_runs, warehouse, version, RUNS_SHOWN)
    if runs.empty:
        st.info("No build has run on this warehouse yet: run `amicable build`.")
        return
    run_id = ui.choice(
        st.selectbox,
        "Run",
        list(runs["run_id"]),
        format_func=lambda r: _run_label(runs, r),
        key=RUN_KEY,
    )
    _freshness(warehouse, version, run_id)
    _checks(warehouse, version, run_id)
    _quarantine(warehouse, version)
    _score_models(warehouse, version)
    st.subheader("Run history")
    blocks.table(runs, key="runs", file_name="runs.csv")


def _run_label(runs: pd.DataFrame, run_id: str) -> str:
    row = runs[runs["run_id"] == run_id].iloc[0]
    started = pd.Timestamp(row["started_at"]).strftime("%Y-%m-%d %H:%M")
    return f"{started} UTC · {row['checks_failed']} failed · {run_id[:8]}"


ui.page(
    "Data health",
    "Freshness of each source, the checks of a run, the rows kept in quarantine, the score "
    "models and the run history: the pipeline's own records, written by `amicable build` "
    "and `amicable scores train`.",
    _render,
    section="Data health",
)
