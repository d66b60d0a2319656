"""Supervisor pages' queries: stuck cases, stage flow, the agent league table, broken promises
and kept rates, channels, and the work queue of scored cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from amicable.scores import store
from amicable.scores.spec import PAY_WITHIN_30_DAYS
from dashboards.postgres import Connection
from dashboards.queries.core import (
    ALL,
    SEGMENTS,
    _check_choice,
    _check_month,
    _execute,
    _frame,
    _month_range,
    _optional_float,
    _period,
    _values,
    connect_read_only,
)

STUCK_RULES: tuple[str, ...] = ("all", "stage_sla", "no_contact", "broken_promise_no_follow_up")
KEPT_RATE_DIMENSIONS: tuple[str, ...] = ("agent", "team", "segment", "strategy", "all")


@dataclass(frozen=True)
class KeptRate:
    """Promise kept rate of one dimension value over one due month or all of them."""

    promises_decided: int
    promises_kept: int
    kept_rate_by_count: float | None  # kept ÷ decided; None when nothing is decided
    kept_rate_by_amount: float | None  # kept ÷ decided promised amount (reporting currency)


def stuck_cases(warehouse: Path | str, rule: str, agent_id: str) -> pd.DataFrame:
    """Open cases breaking a stuck rule (`rule`/`agent_id` 'all' for every one), oldest first."""
    _check_choice("rule", rule, STUCK_RULES)
    return _frame(warehouse, "stuck_cases", (rule, rule, agent_id, agent_id))


def stuck_agents(warehouse: Path | str) -> list[str]:
    """Agents owning at least one stuck case."""
    return list(_frame(warehouse, "stuck_agents", ())["agent_id"])


def flow_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') in which a case left a stage, oldest first."""
    return _values(warehouse, "flow_months", "month")


def flow_strategies(warehouse: Path | str) -> list[str]:
    """Case strategies present in `marts.fct_case_stage_durations`."""
    return _values(warehouse, "flow_strategies", "strategy")


def flow_teams(warehouse: Path | str) -> list[str]:
    """Teams of the cases' current owners in `marts.fct_case_stage_durations`."""
    return _values(warehouse, "flow_teams", "team")


def _flow_filters(segment: str, strategy: str, team: str) -> tuple[str, ...]:
    """The (value, value) parameter pairs of the flow SQL's segment, strategy and team filters
    ('all' for every one), after checking the segment."""
    _check_choice("segment", segment, SEGMENTS)
    return (segment, segment, strategy, strategy, team, team)


def _flow_cell(segment: str, strategy: str, team: str) -> tuple[str, str, str]:
    """The filter cell of the flow marts (segment, strategy, owner_team; 'all' for every one),
    after checking the segment."""
    _check_choice("segment", segment, SEGMENTS)
    return (segment, strategy, team)


def stage_flow(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    segment: str,
    strategy: str,
    team: str = ALL,
) -> pd.DataFrame:
    """Directly-follows graph of the moves made from `first_month` to `last_month` ('YYYY-MM',
    both included) for a segment, strategy and team of the case's current owner ('all' for
    every one): one row per from_stage, to_stage with transition_count, case_count, median,
    p90 and mean duration (days in from_stage), computed from the period's moves (the ended
    stays of `marts.fct_case_stage_durations`); longest median first."""
    filters = _flow_filters(segment, strategy, team)
    return _frame(warehouse, "stage_flow", (*_period(first_month, last_month), *filters))


def stage_moves(
    warehouse: Path | str,
    from_stage: str,
    to_stage: str,
    first_month: str,
    last_month: str,
    segment: str,
    strategy: str,
    team: str = ALL,
) -> pd.DataFrame:
    """The moves behind one transition of `stage_flow` (same filters), longest stay first."""
    filters = _flow_filters(segment, strategy, team)
    months = _month_range(first_month, last_month)
    return _frame(warehouse, "stage_moves", (from_stage, to_stage, *months, *filters))


def stage_time(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    segment: str,
    strategy: str,
    team: str = ALL,
) -> pd.DataFrame:
    """Time in stage per stage: stays ended in the month range (stays_completed, median_days,
    p90_days: the ended stays of `marts.fct_case_stage_durations`) and stays running at as_of
    (stays_running, median_running_days: `marts.fct_stage_open_stays`)."""
    filters = _flow_filters(segment, strategy, team)
    cell = _flow_cell(segment, strategy, team)
    return _frame(warehouse, "stage_time", (*_period(first_month, last_month), *filters, *cell))


def agent_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') with rows in `marts.fct_agent_daily`, oldest first."""
    return _values(warehouse, "agent_months", "month")


def agent_teams(warehouse: Path | str) -> list[str]:
    """Teams present in `marts.fct_agent_daily`."""
    return _values(warehouse, "agent_teams", "team")


def agent_league(
    warehouse: Path | str, first_month: str, last_month: str, team: str
) -> pd.DataFrame:
    """One row per agent of `team` ('all' for every team) over the month range: attempts, RPC,
    RPC rate, promises made, promised and collected amounts (reporting currency), kept rates of
    the promises falling due in the range (by count and amount) and open caseload on the
    range's last day; most collected first."""
    months = _month_range(first_month, last_month)
    return _frame(warehouse, "agent_league", (*months, team, team, *months))


def agent_daily(
    warehouse: Path | str, agent_id: str, first_month: str, last_month: str
) -> pd.DataFrame:
    """`marts.fct_agent_daily` rows of one agent in the month range, newest first."""
    return _frame(warehouse, "agent_daily", (agent_id, *_month_range(first_month, last_month)))


def agent_promises(
    warehouse: Path | str, agent_id: str, first_month: str, last_month: str
) -> pd.DataFrame:
    """Promises one agent recorded that fell due in the month range, latest due first."""
    months = _month_range(first_month, last_month)
    return _frame(warehouse, "agent_promises", (agent_id, *months))


def broken_promise_options(warehouse: Path | str) -> pd.DataFrame:
    """Distinct agent_id, team, segment, due_month ('YYYY-MM') of broken and partially kept
    promises, for the filters."""
    return _frame(warehouse, "broken_promise_options", ())


def broken_promises(
    warehouse: Path | str, agent_id: str, team: str, segment: str, due_month: str
) -> pd.DataFrame:
    """Broken and partially kept promises with no contact on the case since their window
    ended, with days since then (to as_of); filters 'all' for every one. Longest first."""
    _check_choice("segment", segment, SEGMENTS)
    if due_month != ALL:
        _check_month(due_month)
    parameters = (agent_id, agent_id, team, team, segment, segment, due_month, due_month)
    return _frame(warehouse, "broken_promises", parameters)


def promise_kept_rate(
    warehouse: Path | str, dimension: str, dimension_value: str, due_month: str
) -> KeptRate:
    """Kept rate of one value of a `marts.fct_promise_kept_rates` dimension, over one due month
    ('YYYY-MM') or every month ('all')."""
    _check_choice("dimension", dimension, KEPT_RATE_DIMENSIONS)
    if due_month != ALL:
        _check_month(due_month)
    parameters = (dimension, dimension_value, due_month, due_month)
    row = _frame(warehouse, "promise_kept_rate", parameters).iloc[0]
    return KeptRate(
        promises_decided=int(row["promises_decided"]),
        promises_kept=int(row["promises_kept"]),
        kept_rate_by_count=_optional_float(row["kept_rate_by_count"]),
        kept_rate_by_amount=_optional_float(row["kept_rate_by_amount"]),
    )


def channel_months(warehouse: Path | str) -> list[str]:
    """Months ('YYYY-MM') with outbound contacts in `marts.fct_channel_effectiveness`, oldest
    first."""
    return _values(warehouse, "channel_months", "month")


def channel_stages(warehouse: Path | str) -> list[str]:
    """Case stages contacts were made in (`marts.fct_channel_effectiveness`), in process order
    (`none`: before any stage event)."""
    return _values(warehouse, "channel_stages", "stage")


def channel_comparison(
    warehouse: Path | str,
    first_month: str,
    last_month: str,
    segment: str,
    stage: str,
    by_template: bool = False,
) -> pd.DataFrame:
    """One row per channel (template `all`), or per channel and template (`by_template`), over
    the month range of the contacts, a segment and a stage ('all' for every one): contacts,
    right-party contacts and rate (calls), promises and rate, payments and amounts collected
    within 7 and 30 days of the contacts (reporting currency), collected within 30 days per
    contact, cost and cost per collected unit (null without a configured cost or without
    anything collected), and open_windows (contacts less than 30 days old at as_of)."""
    _check_choice("segment", segment, SEGMENTS)
    first, last = _month_range(first_month, last_month)
    parameters = (bool(by_template), first, last, segment, segment, stage, stage)
    return _frame(warehouse, "channel_comparison", parameters)


WORK_QUEUE_SCORE = PAY_WITHIN_30_DAYS.name  # the score the work queue orders by
WORK_QUEUE_COLUMNS = (  # dashboards/sql/work_queue.sql's
    "case_id",
    "expected_recovery_rc",
    "open_amount_rc",
    "probability",
    "reasons",
    "days_past_due",
    "agent_id",
    "team",
    "stage",
    "strategy",
    "segment",
    "jurisdiction",
)


@dataclass(frozen=True)
class WorkQueueScores:
    """Where the work queue's scores stand: the latest model's state (`amicable.scores.store
    .status` at the warehouse's as-of date, one line) and the latest scoring run with the model
    that made it (None before the first run)."""

    as_of: dt.date  # the warehouse's as-of date
    model_usable: bool
    model_message: str
    latest_model_version: str | None  # the latest trained model, usable or not
    scored: dict | None  # the latest run: model_version, as_of, cases_scored, model fields


def work_queue_scores(warehouse: Path | str) -> WorkQueueScores:
    """The state of the work queue's score (`WORK_QUEUE_SCORE`) in the warehouse."""
    with connect_read_only(warehouse) as connection:
        as_of = store.as_of(connection)
        model = store.status(connection, PAY_WITHIN_30_DAYS, as_of)
        has_scores = _execute(connection, warehouse, "work_queue_has_scores", ()).fetchone()[0]
        run_id = store.latest_run(connection, WORK_QUEUE_SCORE)
        scored, latest = None, None
        if run_id is not None:
            parameters = (WORK_QUEUE_SCORE, run_id, WORK_QUEUE_SCORE)
            run = _execute(connection, warehouse, "work_queue_scoring", parameters)
            names = [column[0] for column in run.description]
            row = run.fetchone()
            scored = None if row is None else dict(zip(names, row, strict=True))
        if has_scores:
            latest = _execute(
                connection, warehouse, "work_queue_latest_model", (WORK_QUEUE_SCORE,)
            ).fetchone()[0]
    return WorkQueueScores(as_of, model.usable, model.message, latest, scored)


def work_queue(warehouse: Path | str, segment: str, agent_id: str) -> pd.DataFrame:
    """The cases open at as-of by expected recovery (open amount in reporting currency × the
    latest probability to pay within 30 days), largest first, with the score's reasons in one
    `reasons` text; cases the latest run did not score come last (`segment`/`agent_id` 'all'
    for every one). No rows before the first scoring run: `work_queue_scores` says why."""
    _check_choice("segment", segment, SEGMENTS)
    with connect_read_only(warehouse) as connection:
        return _work_queue(connection, warehouse, segment, agent_id)


def _work_queue(
    connection: Connection,
    warehouse: Path | str,
    segment: str,
    agent_id: str,
) -> pd.DataFrame:
    run_id = store.latest_run(connection, WORK_QUEUE_SCORE)
    if run_id is None:
        return pd.DataFrame(columns=WORK_QUEUE_COLUMNS)
    parameters = (WORK_QUEUE_SCORE, run_id, segment, segment, agent_id, agent_id)
    return _execute(connection, warehouse, "work_queue", parameters).df()


def work_queue_agents(warehouse: Path | str) -> list[str]:
    """Agents owning at least one open case."""
    return _values(warehouse, "work_queue_agents", "agent_id")


def work_queue_groups(warehouse: Path | str) -> pd.DataFrame:
    """Per segment and per jurisdiction (`dimension`, `dimension_value`; '(none)' without a
    jurisdiction): the open cases of the latest scoring run and their mean probability (null
    without scores; from `work_queue`), the share of labelled case-months paid within 30 days
    and the kept rate of decided promises (`work_queue_groups.sql`). One connection for both
    reads (opening a cold one costs about 40 ms at `xl`, `benchmarks/results/scale_xl.md`)."""
    with connect_read_only(warehouse) as connection:
        groups = _execute(connection, warehouse, "work_queue_groups", ()).df()
        queue = _work_queue(connection, warehouse, ALL, ALL)
    queue = queue.assign(jurisdiction=queue["jurisdiction"].fillna("(none)"))
    means = pd.concat(
        queue.groupby(dimension)["probability"]
        .agg(cases_scored="count", mean_score="mean")
        .rename_axis("dimension_value")
        .reset_index()
        .assign(dimension=dimension)
        for dimension in ("segment", "jurisdiction")
    )
    frame = groups.merge(means, on=["dimension", "dimension_value"], how="left")
    frame["cases_scored"] = frame["cases_scored"].fillna(0).astype(int)
    frame["mean_score"] = frame["mean_score"].astype(float)
    columns = ["dimension", "dimension_value", "cases_scored", "mean_score"]
    return frame[columns + [c for c in groups.columns if c not in columns]]
