"""On a PostgreSQL build, the quality report and the raw layer's warnings are never a reason
to fail or to hold back a build: when PostgreSQL cannot be read for them, the outcome says so
in a note and the build goes on (`orchestration.pg_build`). No server needed: the warehouse
is a port nothing listens on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from amicable.settings import Settings
from amicable.warehouse_ref import PostgresWarehouse
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema
from orchestration.pg_build import PgBuildOutcome, format_pg_outcome, quality_report, raw_checks
from tests.postgres.conftest import free_port


def test_an_unreachable_warehouse_leaves_notes_not_failures(tmp_path: Path) -> None:
    warehouse = PostgresWarehouse(f"postgresql://someone:secret@127.0.0.1:{free_port()}/w")
    settings = Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "w@localhost", as_of=date(2026, 11, 20)
    )
    outcome = PgBuildOutcome(models_ok=True, log=tmp_path / "last_build.log")
    with duckdb.connect() as duck:
        ensure_raw_schema(duck, SOURCES)
        raw_checks(duck, warehouse, settings, outcome)
    quality_report(settings, warehouse, "run-1", outcome)
    assert outcome.ok and outcome.report is None and outcome.source_records == []
    assert [note.split(":")[0] for note in outcome.notes] == [
        "raw layer's volume and freshness not checked",
        "quality report not written",
    ]
    printed = format_pg_outcome(outcome, warehouse, settings)
    assert "not done (the build went on):" in printed and "secret" not in printed
