"""Source freshness: a feed that stops is a recorded, logged warning that never blocks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import yaml
from dq_fixtures import (
    DOWNSTREAM,
    build_warehouse,
    config_copy,
    log_loads,
    materialized,
    recorded,
    run_graph,
    stubs,
)

from amicable.settings import DBT_PROJECT_DIR, Settings
from data_quality import freshness
from data_quality.source_checks import FRESHNESS_CHECK, build_freshness_check
from orchestration.build import recorded_checks, run_config, summarise
from orchestration.report import format_outcome

INVOICES = dg.AssetKey(["raw", "erp_invoices"])
CASES = dg.AssetKey(["raw", "cases_cases"])
# The newest invoice of the hand-made ledger (dq_fixtures.RAW) is CN-1, issued 2026-01-10.
STALE_LINE = (
    "erp_invoices: newest record (issue_date) 2026-01-10 00:00 is 21 days old on 2026-01-31 "
    "(expected within 4 days)"
)


def _freshness_rows(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select source_table, measured_on, cadence_hours, newest_record_at, as_of_date,"
            " age_hours, status, run_id from quality.source_freshness"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _run(warehouse: Path, tmp_path: Path, as_of: date, config: Path | None = None):
    """The freshness check on invoices and cases, with the run config `amicable build` gives."""
    settings = Settings(landing=tmp_path, warehouse=warehouse, as_of=as_of)
    ops = {FRESHNESS_CHECK: run_config(settings)["ops"][FRESHNESS_CHECK]}
    extra = {"config": config} if config else {}
    return run_graph(
        warehouse,
        stubs([INVOICES, CASES], INVOICES),
        [build_freshness_check(tables=["erp_invoices", "cases_cases"])],
        run_config={"ops": ops},
        **extra,
    )


def test_a_feed_that_stops_is_a_recorded_warning_shown_by_the_cli(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    # The case tool's last export was extracted on 2026-01-30 at 02:00 (its file name says so).
    log_loads(warehouse, "cases_cases", [("2026-01-30T0200", "2026-01-30 03:00:00", 1)])
    result = _run(warehouse, tmp_path, date(2026, 1, 31))

    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    stale = evaluations[INVOICES]
    assert (stale.passed, stale.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert evaluations[CASES].passed is True
    assert DOWNSTREAM in materialized(result), "a stale source never blocks"

    rows = {r["asset"]: r for r in recorded(warehouse)}
    assert (rows["raw/erp_invoices"]["check_name"], rows["raw/erp_invoices"]["status"]) == (
        "freshness",
        "warn",
    )
    assert rows["raw/erp_invoices"]["blocking"] is False
    assert rows["raw/erp_invoices"]["failing_keys"] == [STALE_LINE]
    assert rows["raw/cases_cases"]["status"] == "pass"

    stored = _freshness_rows(warehouse)
    assert stored["erp_invoices"] == (
        "issue_date",
        96,
        datetime(2026, 1, 10),
        date(2026, 1, 31),
        21 * 24.0,
        "stale",
        result.run_id,
    )
    assert stored["cases_cases"][:6] == (
        freshness.EXTRACTED,
        72,
        datetime(2026, 1, 30, 2, 0),
        date(2026, 1, 31),
        22.0,
        "fresh",
    )

    outcome = summarise(result)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcome.checks = recorded_checks(con, result.run_id, set())
    printed = format_outcome(outcome, Settings(tmp_path, warehouse))
    table_rows = [line.split() for line in printed.splitlines()]
    assert ["freshness", "raw/erp_invoices", "WARN", "no"] in table_rows
    assert ["freshness", "raw/cases_cases", "pass", "no"] in table_rows
    assert f"  WARN freshness on raw/erp_invoices: stale: {STALE_LINE}" in printed


def test_the_configured_cadence_decides_what_is_stale(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(warehouse, "cases_cases", [("2026-01-30T0200", "2026-01-30 03:00:00", 1)])
    config = config_copy(tmp_path, ("erp_invoices: 4d", "erp_invoices: 504h"))  # 21 days
    result = _run(warehouse, tmp_path, date(2026, 1, 31), config)
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert _freshness_rows(warehouse)["erp_invoices"][1:2] == (504,)


def test_a_file_without_a_time_in_its_name_is_dated_by_its_load(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(warehouse, "cases_cases", [("run-1", "2026-01-20 02:00:00", 1)])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [item] = freshness.measure(con, {"cases_cases": 72}, date(2026, 1, 31))
    assert (item.newest_at, item.status) == (datetime(2026, 1, 20, 2, 0), "stale")
    assert freshness.outcome(item).failing_keys == (
        "cases_cases: newest record (file extraction time) 2026-01-20 02:00 is 10.9 days old "
        "on 2026-01-31 (expected within 3 days)",
    )


def test_a_source_never_loaded_is_stale_and_a_record_after_the_as_of_date_is_fresh(
    tmp_path: Path,
) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        never, ahead = freshness.measure(
            con, {"cases_agents": 192, "erp_invoices": 96}, date(2026, 1, 5)
        )
    assert (never.newest_at, never.age_hours, never.status) == (None, None, "stale")
    assert freshness.outcome(never).failing_keys == (
        "cases_agents: no row loaded yet (expected within 8 days)",
    )
    assert (ahead.age_hours, ahead.status) == (0.0, "fresh")


def test_every_source_has_a_freshness_measure_and_dbt_declares_no_second_cadence() -> None:
    from ingestion.contracts import SOURCES

    assert set(freshness.MEASURED_ON) == {s.name for s in SOURCES}
    sources = yaml.safe_load(
        (DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml").read_text()
    )["sources"]
    declared = [
        item.get("name")
        for source in sources
        for item in [source, *source.get("tables", [])]
        if "freshness" in item or "freshness" in (item.get("config") or {})
    ]
    assert declared == [], "the cadence lives in config/amicable.yml (quality.freshness) only"


def test_an_export_without_changes_counts_as_a_delivery_and_a_rejected_file_does_not(
    tmp_path: Path,
) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    log_loads(warehouse, "erp_customers", [("2026-01-29T0200", "2026-01-29 03:00:00", 0)])
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw._loads values ('erp_customers', 'customers_2026-01-31T0200.csv',"
            " 'y', 'rejected', 3, 0, 0, 'header breaks the contract', '2026-01-31 03:00', 'b',"
            " null, null)"
        )
        [item] = freshness.measure(con, {"erp_customers": 72}, date(2026, 1, 31))
    assert (item.newest_at, item.status) == (datetime(2026, 1, 29, 2, 0), "fresh")


def test_an_as_of_that_is_not_a_date_fails_the_step_in_one_clear_line(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    result = run_graph(
        warehouse,
        stubs([INVOICES], INVOICES),
        [build_freshness_check(tables=["erp_invoices"])],
        run_config={"ops": {FRESHNESS_CHECK: {"config": {"as_of": "31/01/2026"}}}},
    )
    [failure] = result.get_step_failure_events()
    message = failure.event_specific_data.error.cause.message  # type: ignore[union-attr]
    assert message.strip() == (
        "ValueError: as_of '31/01/2026' in the run config is not a date (YYYY-MM-DD)"
    )
