"""Agents files landed one extraction at a time, for the tests of the raw suites' daily
validation (`data_quality.runner`): on DuckDB (tests/data_quality/test_dq_incremental.py) and
on PostgreSQL (tests/postgres/test_raw_suites_on_postgres.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from data_quality.checks import suite_record
from data_quality.runner import SuiteOutcome
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source

AGENTS = "raw.cases_agents"
AGENTS_ASSET = dg.AssetKey(["raw", "cases_agents"])
START = datetime(2026, 2, 1, 3, 0)  # the first extraction's day, less one


def agent(agent_id: str, team: str = "T1", active_to: str | None = None) -> dict[str, object]:
    return {"agent_id": agent_id, "name": f"Agent {agent_id}", "team": team,
            "supervisor_id": None, "active_from": "2026-01-10", "active_to": active_to}  # fmt: skip


def ingest_agents(landing: Path, warehouse: Path, load: int, rows: list[dict[str, object]]) -> None:
    """Land `rows` as one agents file, stamped `load` days after START, and ingest it into the
    DuckDB file `warehouse` as build `b<load>`; every row loaded."""
    stamp = (START + timedelta(days=load)).strftime("%Y-%m-%dT%H%M")
    path = landing / "cases" / f"agents_{stamp}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con, SOURCES)
        loaded_at = START + timedelta(days=load, hours=1)
        report = ingest_source(con, landing, SOURCES_BY_NAME["cases_agents"], f"b{load}", loaded_at)
    assert report.rows_loaded == len(rows) and report.rows_quarantined == 0


def seen(outcome: SuiteOutcome) -> list[tuple[str, bool, int | None, tuple[str, ...]]]:
    """Each expectation's verdict, failing count and failing keys."""
    return [(r.name, r.success, r.unexpected_count, r.failing_keys) for r in outcome.results]


def recorded(outcome: SuiteOutcome) -> tuple[str, int, tuple[str, ...], str]:
    """The suite's check record as a build keeps it: status, failing count, keys, description."""
    record = suite_record("raw_cases_agents_suite", AGENTS_ASSET, outcome, 0.01)
    return record.status, record.failing_count, record.failing_keys, record.description
