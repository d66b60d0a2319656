"""Load one case's file from the marts: header (`marts.dim_cases`), records in time order
(`marts.fct_case_file`), its breaches (`marts.fct_compliance_breaches`), the reconciliation of
its figures to the source rows, where it came from (warehouse, build run, as-of date), and
its case scores (`scores.case_scores`: information, never evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from amicable.case_file.reconcile import Reconciliation, reconcile
from amicable.scores.spec import CASES_TABLE, SCORES
from amicable.scores.store import latest_promise_scores, latest_scores
from amicable.warehouse_ref import Warehouse
from dashboards.postgres import MISSING_RELATION, Connection, has_table, warehouse_of

RECORD_COLUMNS: tuple[str, ...] = (
    "record_seq", "occurred_at", "local_at", "record_kind", "source_table", "source_id",
    "activity", "direction", "outcome", "agent_id", "detail", "amount", "currency", "verdict",
    "breached_rule_ids", "breach_parameters", "unverifiable_rule_ids", "breach_ids",
    "cited_by_rule_ids", "source_file", "source_row",
)  # fmt: skip
BREACH_COLUMNS: tuple[str, ...] = (
    "breach_id", "rule_id", "occurred_at", "agent_id", "evidence_ids", "is_unverifiable",
    "parameters", "legal_reference",
)  # fmt: skip

SCORE_COLUMNS: tuple[str, ...] = (
    "score", "probability", "as_of", "model_version", "reason_1", "reason_2", "reason_3",
)  # fmt: skip
SCORES_TITLE = "Scores (information only, not evidence)"
NO_SCORES = (
    "No score for this case: no model has scored it (the latest scoring run scores the cases "
    "open at its as-of date, once `amicable scores train` has trained a model)."
)


class CaseFileError(Exception):
    """A case file cannot be made; the message is one line, fit for the user."""


class CaseNotFound(CaseFileError):
    """The case id is not in the warehouse."""


class CaseFileBuildChanged(CaseFileError):
    """Builds kept being published while the case file was read: retry."""


@dataclass(frozen=True)
class Provenance:
    """Where a case file came from."""

    warehouse: Warehouse  # its DuckDB file or PostgreSQL database
    as_of: date  # the build's as-of date
    build_run_id: str | None  # the Dagster run that built the marts (marts.dim_build)
    built_at: datetime | None  # when its dbt run started (UTC)
    generated_at: datetime  # when this case file was made (UTC, aware)


@dataclass(frozen=True)
class CaseFile:
    """One case's file. `header`: the case's row of marts.dim_cases (column -> value).
    `records`: its rows of marts.fct_case_file (RECORD_COLUMNS), in record_seq order.
    `breaches`: its rows of marts.fct_compliance_breaches (BREACH_COLUMNS), by occurred_at.
    `scores`: per score of `SCORES`, the case's row of its latest scoring run (SCORE_COLUMNS;
    none for a score whose latest run did not score the case): an estimate to order the work,
    shown as information, never evidence."""

    case_id: str
    header: dict[str, Any]
    records: pd.DataFrame
    breaches: pd.DataFrame
    reconciliation: Reconciliation
    provenance: Provenance
    scores: pd.DataFrame


def load_case_file(con: Connection, case_id: str, now: datetime | None = None) -> CaseFile:
    """The case file of `case_id` from the warehouse `con` is open on (read-only is enough).

    Raises CaseNotFound when the case is not in marts.dim_cases, CaseFileError when the
    warehouse has no case-file marts (not built yet). A file is read from one build: on a
    PostgreSQL warehouse a build published while it is read (each statement sees the build
    published at that moment) makes it read again."""
    for _ in range(READS):
        case_file = _read(con, case_id, now)
        if _build_run(con)[0] == case_file.provenance.build_run_id:
            return case_file
    raise CaseFileBuildChanged(
        f"case {case_id}: the warehouse was published again while its file was read, "
        f"{READS} times: retry"
    )


READS = 3  # tries of a case file while builds are published under it


def _read(con: Connection, case_id: str, now: datetime | None) -> CaseFile:
    warehouse = warehouse_of(con)
    run_id, built_at = _build_run(con)
    header = _header(con, warehouse, case_id)
    records = _frame(
        con,
        f"select {', '.join(RECORD_COLUMNS)} from marts.fct_case_file "
        "where case_id = ? order by record_seq",
        [case_id],
    )
    breaches = _frame(
        con,
        f"select {', '.join(BREACH_COLUMNS)} from marts.fct_compliance_breaches "
        "where case_id = ? order by occurred_at, rule_id, breach_id",
        [case_id],
    )
    provenance = Provenance(
        warehouse=warehouse,
        as_of=header["as_of_date"],
        build_run_id=run_id,
        built_at=built_at,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
    )
    reconciliation = reconcile(con, header, records)
    scores = _scores(con, case_id)
    return CaseFile(case_id, header, records, breaches, reconciliation, provenance, scores)


def _header(con: Connection, warehouse: Warehouse, case_id: str) -> dict[str, Any]:
    try:
        cursor = con.execute("select * from marts.dim_cases where case_id = ?", [case_id])
    except MISSING_RELATION:
        raise CaseFileError(
            f"warehouse {warehouse} has no case files (marts.dim_cases is missing): "
            "run `amicable build`"
        ) from None
    row = cursor.fetchone()
    if row is None:
        raise CaseNotFound(_not_found(con, warehouse, case_id))
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _not_found(con: Connection, warehouse: Warehouse, case_id: str) -> str:
    (as_of,) = con.execute("select as_of_date from marts.dim_build").fetchone() or (None,)
    message = f"case {case_id!r} is not in the warehouse {warehouse}"
    try:
        opened = con.execute(
            "select min(opened_at) from raw.cases_cases where case_id = ?", [case_id]
        ).fetchone()
    except MISSING_RELATION:
        opened = None
    if opened and opened[0] is not None and as_of is not None:
        return f"{message}: it was opened on {opened[0]:%Y-%m-%d}, after its as-of date {as_of}"
    return f"{message} (as of {as_of}): check the case id"


def _frame(con: Connection, sql: str, params: list) -> pd.DataFrame:
    """Rows as a pandas frame that keeps Decimal amounts exact (object columns)."""
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=False)


def _scores(con: Connection, case_id: str) -> pd.DataFrame:
    """The case's rows of each score's latest scoring run (`amicable.scores.store`): its own
    row of a score of cases, the row of each of its pending promises of a score of promises
    (the score named `promise_kept (promise P)`)."""
    has_scores = has_table(con, "scores", "case_scores")
    found = []
    for name, spec in SCORES.items() if has_scores else ():
        if spec.table == CASES_TABLE:
            latest = latest_scores(con, name)
            found.append(latest[latest["case_id"] == case_id])
            continue
        latest = latest_promise_scores(con, name)
        if latest.empty:
            continue
        rows = latest[latest["case_id"] == case_id].copy()
        rows["score"] = [f"{name} (promise {promise})" for promise in rows["promise_id"]]
        found.append(rows)
    found = [rows for rows in found if not rows.empty]
    if not found:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    frame = pd.concat(found, ignore_index=True)[list(SCORE_COLUMNS)]
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame


def _build_run(con: Connection) -> tuple[str | None, datetime | None]:
    """The build's run and start time, from the build context (marts.dim_build)."""
    try:
        row = con.execute("select run_id, built_at from marts.dim_build").fetchone()
    except MISSING_RELATION:
        return None, None
    return (row[0], row[1]) if row else (None, None)
