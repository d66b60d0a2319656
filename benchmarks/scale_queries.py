"""Every dashboard query of `dashboards.queries`, timed cold on a built warehouse (`scale.py`).

Each query function is called as its page first calls it: default filters (every segment,
agent, team, strategy and rule; the whole month range the page offers; the latest snapshot),
the page's row limits, and for the drills the first entity the page lists (the first agent of
the league table, the first case of the case-file list, the first transition of the stage
flow, the debtor of the first open item). Each call opens its own read-only connection, as the
query layer always does, so DuckDB's cache starts empty every time (the operating system's file
cache stays warm). Calls go round-robin over the queries, `runs` rounds, so the machine's noise
falls on all of them alike. A query function with no call here stops the benchmark: add one.
"""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from dashboards import queries

ALL = queries.ALL
DISPLAY_LIMIT = 5_000  # rows the ageing, DSO and waterfall drills show (their DISPLAY_LIMIT)
QUARANTINE_ROWS_SHOWN = 500  # dashboards/views/health.py
RUNS_SHOWN = 20  # dashboards/views/health.py
NOT_QUERIES = {"warehouse_from_env", "sql_text", "check_reachable", "connect_read_only"}
CONNECTION = "(a read-only connection: open, select 1, close)"


def query_functions() -> dict[str, Callable[..., Any]]:
    """The public query functions: every lower-case function exported by `dashboards.queries`
    whose first parameter is the warehouse."""
    functions = {}
    for name in queries.__all__:
        value = getattr(queries, name)
        if name in NOT_QUERIES or not inspect.isfunction(value):
            continue
        if next(iter(inspect.signature(value).parameters)) == "warehouse":
            functions[name] = value
    return functions


def calls(warehouse: Path) -> dict[str, tuple]:
    """The arguments of each query's call (after the warehouse), read from the warehouse the way
    the pages read their filter choices."""
    q, w = queries, warehouse
    dates = q.snapshot_dates(w)  # newest first
    flow, agent_months, breach_months = q.flow_months(w), q.agent_months(w), q.breach_months(w)
    channel_months = q.channel_months(w)
    cohorts = q.recovery_cohort_months(w)
    league = q.agent_league(w, agent_months[0], agent_months[-1], ALL)
    agent = str(league["agent_id"].iloc[0])
    transition = q.stage_flow(w, flow[0], flow[-1], ALL, ALL).iloc[0]
    case = str(q.case_file_cases(w)["case_id"].iloc[0])
    debtor = str(q.ageing_items(w, dates[0], ALL, ALL, 1)["debtor_id"].iloc[0])
    run_id = str(q.health_runs(w, 1)["run_id"].iloc[0])
    rolls = q.roll_rate_periods(w)
    return {
        "snapshot_dates": (),
        "ageing_kpis": (dates[0], ALL),
        "ageing_by_bucket": (dates[0], ALL),
        "ageing_items": (dates[0], ALL, ALL, DISPLAY_LIMIT),
        "ageing_bucket_history": (ALL,),
        "ageing_buckets": (),
        "debtor_cases": (debtor,),
        "dso_months": (ALL, 1),
        "ar_waterfall": (dates[1], dates[0], ALL),
        "ar_movement_items": (dates[1], dates[0], ALL, "cash_applied_amount", DISPLAY_LIMIT),
        "recovery_cohort_months": (),
        "recovery_strategies": (),
        "recovery_rates": (cohorts[0], cohorts[-1], ALL, ALL),
        "recovery_cohort_cases": (cohorts[-1], ALL, ALL),
        "cash_expected_agents": (),
        "cash_expected_by_agent": (ALL, ALL),
        "cash_expected_promises": (ALL, ALL),
        "cash_expected_scored": (ALL, ALL),
        "cash_expected_score_status": (),
        "debtor_exposure": (ALL, "open", 100),
        "debtor_exposure_kpis": (ALL,),
        "late_payment_kpis": (ALL,),
        "late_payment_debtors": (ALL, 100),
        "late_payment_invoices": (debtor, ALL),
        "late_payment_rates": (),
        "roll_rate_periods": (),
        "roll_rate_strategies": (),
        "roll_rate_matrix": (rolls[0], ALL, ALL),
        "roll_rate_projection": (rolls[0], ALL),
        "debtor_statement": (debtor,),
        "display_currencies": (),
        "stuck_cases": (ALL, ALL),
        "stuck_agents": (),
        "work_queue_scores": (),
        "work_queue": (ALL, ALL),
        "work_queue_agents": (),
        "work_queue_groups": (),
        "flow_months": (),
        "flow_strategies": (),
        "flow_teams": (),
        "stage_flow": (flow[0], flow[-1], ALL, ALL),
        "stage_moves": (transition["from_stage"], transition["to_stage"], flow[0], flow[-1])
        + (ALL, ALL),
        "stage_time": (flow[0], flow[-1], ALL, ALL),
        "agent_months": (),
        "agent_teams": (),
        "agent_league": (agent_months[0], agent_months[-1], ALL),
        "agent_daily": (agent, agent_months[0], agent_months[-1]),
        "agent_promises": (agent, agent_months[0], agent_months[-1]),
        "agent_case_ids": (agent,),
        "channel_months": (),
        "channel_stages": (),
        "channel_comparison": (channel_months[0], channel_months[-1], ALL, ALL, False),
        "broken_promise_options": (),
        "broken_promises": (ALL, ALL, ALL, ALL),
        "promise_kept_rate": (ALL, ALL, ALL),
        "breach_months": (),
        "breach_summary": (breach_months[0], breach_months[-1]),
        "breach_rows": (breach_months[0], breach_months[-1], ALL, ALL, ALL),
        "breach_kpis": (breach_months[0], breach_months[-1], ALL, ALL, ALL),
        "breaches_by_rule": (breach_months[0], breach_months[-1], ALL, ALL),
        "breaches_by_agent": (breach_months[0], breach_months[-1], ALL, ALL),
        "case_file_cases": (),
        "case_file": (case,),
        "case_timeline": (case,),
        "health_runs": (RUNS_SHOWN,),
        "health_checks": (run_id, ALL),
        "health_freshness": (run_id,),
        "health_quarantine_summary": (),
        "health_quarantine_rows": (ALL, QUARANTINE_ROWS_SHOWN),
        "health_score_models": (),
        "last_build_problems": (),
    }


def time_queries(warehouse: Path, runs: int) -> dict[str, list[float]]:
    """Seconds of each query's call, `runs` times each, round-robin; and under CONNECTION, of
    a read-only connection opened, asked `select 1` and closed: what every call pays first."""
    functions = query_functions()
    arguments = calls(warehouse)
    missing = sorted(set(functions) - set(arguments))
    if missing:
        raise SystemExit(f"no call for {', '.join(missing)}: add one to {Path(__file__).name}")
    prepared = {
        name: partial(functions[name], warehouse, *args) for name, args in arguments.items()
    }
    prepared[CONNECTION] = partial(_connection_only, warehouse)
    seconds: dict[str, list[float]] = {name: [] for name in prepared}
    for _ in range(runs):
        for name, call in prepared.items():
            started = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - started)
    return seconds


def _connection_only(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("select 1").fetchall()


def p95(values: list[float]) -> float:
    """The 95th percentile (linear between the closest ranks; the largest when fewer than 2)."""
    if len(values) < 2:
        return max(values)
    return statistics.quantiles(values, n=20, method="inclusive")[-1]
