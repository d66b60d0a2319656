"""The auditor's case file: every source record of one case in time order with the rule verdict
beside each contact, its breaches, its case scores (information only, not evidence), the
reconciliation of its figures to the source rows, and PDF / CSV exports, each logged with who
and when (`amicable.case_file`).

Reads `marts.dim_cases`, `marts.fct_case_file` and `marts.fct_compliance_breaches` (and the raw
tables it reconciles to) through `dashboards.queries`. The case is the URL's `case` parameter.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from amicable.case_file import (
    NO_SCORES,
    SCORES_TITLE,
    CaseFile,
    CaseFileError,
    CaseNotFound,
    list_exports,
    score_lines,
)
from amicable.case_file.export_log import export_log_name
from dashboards import blocks, queries, ui

CASE_KEY = blocks.CASE_KEY
MIME = {"pdf": "application/pdf", "csv": "text/csv"}
RECORD_COLUMNS = {
    "occurred_at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
    "local_at": st.column_config.DatetimeColumn(
        "Debtor's local time", format="YYYY-MM-DD HH:mm:ss"
    ),
    "record_kind": st.column_config.TextColumn("Record"),
    "source_id": st.column_config.TextColumn("Id"),
    "activity": st.column_config.TextColumn("Activity"),
    "direction": st.column_config.TextColumn("Direction"),
    "outcome": st.column_config.TextColumn("Outcome"),
    "agent_id": st.column_config.TextColumn("Agent"),
    "amount": st.column_config.TextColumn("Amount"),
    "currency": st.column_config.TextColumn("Currency"),
    "verdict": st.column_config.TextColumn("Verdict"),
    "breached_rule_ids": st.column_config.TextColumn("Breached rules"),
    "breach_parameters": st.column_config.TextColumn("Parameters in force"),
    "detail": st.column_config.TextColumn("Detail"),
    "source_file": st.column_config.TextColumn("Source file"),
    "source_row": st.column_config.NumberColumn("Row", format="%,d"),
}


def _header(case_file: CaseFile) -> None:
    facts = case_file.header
    columns = st.columns(5)
    columns[0].metric("Jurisdiction", f"{facts.get('jurisdiction')} ({facts.get('rule_pack')})")
    columns[1].metric("Owner", str(facts.get("owner_agent_id") or "none"))
    columns[2].metric("Records", ui.format_count(len(case_file.records)))
    columns[3].metric("Breaches", ui.format_count(int(facts.get("breaches") or 0)))
    columns[4].metric("Figures", "reconcile" if case_file.reconciliation.ok else "DO NOT reconcile")
    st.caption(
        f"Debtor {facts.get('debtor_id')} · {facts.get('segment')} · time zone "
        f"{facts.get('time_zone')} · opened {facts.get('opened_at')} · "
        f"{'open' if facts.get('is_open') else 'closed: ' + str(facts.get('close_reason'))} · "
        f"as of {case_file.provenance.as_of} · build {case_file.provenance.build_run_id or 'n/a'}"
    )


def _scores(case_file: CaseFile) -> None:
    st.subheader(SCORES_TITLE)
    if case_file.scores.empty:
        st.caption(NO_SCORES)
        return
    st.caption(
        "Estimates from the case's history, made to order the work: they prove nothing and "
        "decide nothing about the debtor or the case."
    )
    for line in score_lines(case_file):
        st.text(line)


def _reconciliation(case_file: CaseFile) -> None:
    st.subheader("Reconciliation to the source rows")
    result = case_file.reconciliation
    (st.success if result.ok else st.error)(result.summary)
    blocks.table(
        result.lines,
        key="reconciliation",
        file_name=f"case_file_{case_file.case_id}_reconciliation.csv",
    )
    for problem in result.problems[:20]:
        st.markdown(f"- {problem}")


def _exports(case_file: CaseFile) -> None:
    st.subheader("Export")
    user = ui.viewer().username
    columns = st.columns(2)
    for column, fmt in zip(columns, ("pdf", "csv"), strict=True):
        column.download_button(
            f"Download {fmt.upper()}",
            data=blocks.case_file_export(case_file, fmt, user),
            file_name=f"case_file_{case_file.case_id}.{fmt}",
            mime=MIME[fmt],
            on_click="rerun",
            key=f"case_file_{fmt}",
            icon=":material/download:",
        )
    try:
        done = list_exports(case_file.provenance.warehouse, case_file.case_id)
    except CaseFileError as error:  # a PostgreSQL log this role may not read
        st.warning(f"The export log cannot be read: {error}")
        return
    if done:
        where = export_log_name(case_file.provenance.warehouse)
        st.caption(f"{len(done)} export(s) of this case, logged in {where}:")
        blocks.table(
            pd.DataFrame([vars(r) for r in done]),
            key="exports",
            file_name=f"case_file_{case_file.case_id}_exports.csv",
        )
    else:
        st.caption("Not exported yet; every export is logged with who, when and its sha256.")


def _render(warehouse: str, version: int) -> None:
    cases = ui.query(queries.case_file_cases, warehouse, version)
    if cases.empty:
        st.info("No case in the warehouse yet: run `amicable build`.")
        return
    case_id = ui.choice(
        st.selectbox,
        "Case",
        list(cases["case_id"]),
        index=None,
        placeholder="Choose a case (those with breaches first)",
        key=CASE_KEY,
    )
    if case_id is None:
        st.info("Choose a case to read its file, or open one from the breaches page.")
        return
    try:
        case_file = ui.query(queries.case_file, warehouse, version, case_id)
    except CaseNotFound as error:
        st.warning(str(error))
        return
    _header(case_file)
    st.subheader("Records in time order, with the verdict beside each contact")
    blocks.table(
        case_file.records,
        key="case_file_records",
        file_name=f"case_file_{case_id}_records.csv",
        column_config=RECORD_COLUMNS,
    )
    if not case_file.breaches.empty:
        st.subheader("Breaches and their evidence")
        blocks.table(
            case_file.breaches, key="case_breaches", file_name=f"case_file_{case_id}_breaches.csv"
        )
    _scores(case_file)
    _reconciliation(case_file)
    _exports(case_file)


ui.page(
    "Case file",
    "Every source record of one case, with its file and row, the verdict of the case's rule "
    "pack beside each contact, and the check that the file's counts and amounts match the "
    "source rows.",
    _render,
    section="Auditor",
)
