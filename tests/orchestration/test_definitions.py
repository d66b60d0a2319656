"""The Dagster code location loads and wires every layer together."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import dagster as dg

from amicable.settings import Settings
from data_quality.distribution import WATCHED
from data_quality.source_checks import DISTRIBUTION_CHECK
from data_quality.sql_checks import SQL_CHECKS
from ingestion.contracts import SOURCES
from ingestion.source_db import DEFAULT_TABLES
from orchestration.build import run_config
from orchestration.definitions import BUILD_JOB, build_definitions
from orchestration.ingestion_assets import SOURCE_DB_KEY


def test_definitions_load_with_every_layer_and_the_daily_schedule(tmp_path: Path) -> None:
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {f"raw/{s.name}" for s in SOURCES} <= keys
    assert {"staging/stg_erp__invoices", "marts/fct_ar_ageing"} <= keys
    ageing = graph.get(dg.AssetKey(["marts", "fct_ar_ageing"]))
    open_items = dg.AssetKey(["intermediate", "int_finance_open_items"])
    assert open_items in ageing.parent_keys
    balance_periods = dg.AssetKey(["marts", "fct_ar_balance_periods"])
    assert balance_periods in graph.get(open_items).parent_keys
    dated_payments = dg.AssetKey(["intermediate", "int_payment_allocations_dated"])
    assert dated_payments in graph.get(balance_periods).parent_keys
    checks = {key.name for key in graph.asset_check_keys}
    assert {"raw_erp_invoices_suite", "raw_bank_entries_suite"} <= checks
    assert "assert_ageing_reconciles_to_sources" in checks
    assert defs.resolve_job_def(BUILD_JOB) is not None
    assert defs.resolve_schedule_def("daily_build").cron_schedule == "0 3 * * *"


def test_the_dbt_staging_models_read_the_ingested_raw_tables(tmp_path: Path) -> None:
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_erp__invoices"]))
    assert staging.parent_keys == {dg.AssetKey(["raw", "erp_invoices"])}


def test_the_checks_that_read_staging_run_after_the_dbt_staging_models(tmp_path: Path) -> None:
    """Rows as staging keeps them have one home, the staging tables: a check reading them
    depends on the dbt assets that build them."""
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    dbt_keys = defs.resolve_assets_def(dg.AssetKey(["staging", "stg_erp__invoices"])).keys
    reading_staging = [(c.asset, c.name) for c in SQL_CHECKS] + [
        (("raw", w.table), DISTRIBUTION_CHECK) for w in WATCHED
    ]
    for asset, name in reading_staging:
        spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(list(asset)), name))
        staged = {
            dep.asset_key for dep in spec.additional_deps if dep.asset_key.path[0] == "staging"
        }
        assert staged and staged <= dbt_keys, name


def test_run_config_passes_the_as_of_date_and_currency_to_dbt(tmp_path: Path) -> None:
    from datetime import date

    settings = Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb", as_of=date(2024, 2, 29))
    config = run_config(settings)["ops"]["dbt_models"]["config"]
    assert config == {"as_of": "2024-02-29", "reporting_currency": "", "full_refresh": False}
    again = replace(settings, full_refresh=True)
    assert run_config(again)["ops"]["dbt_models"]["config"]["full_refresh"] is True
    nodes = build_definitions(settings).resolve_job_def(BUILD_JOB).graph.node_dict
    suites = {op: c for op, c in run_config(again)["ops"].items() if op.endswith("_suite")}
    assert len(suites) == len(SOURCES) and set(suites) <= set(nodes)
    assert all(c["config"] == {"full_refresh": True} for c in suites.values())


def test_the_landing_sensor_requests_a_build_only_when_files_change(tmp_path: Path) -> None:
    (tmp_path / "erp").mkdir()
    invoices = tmp_path / "erp" / "invoices_2026-01-01T0000.csv"
    invoices.write_text("invoice_id\n")
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    sensor = defs.resolve_sensor_def("landing_zone_sensor")

    first = sensor.evaluate_tick(dg.build_sensor_context())
    assert len(first.run_requests) == 1
    again = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert again.run_requests == [] and "no new or changed file" in again.skip_message
    (tmp_path / "erp" / "invoices_2026-01-02T0000.csv").write_text("invoice_id\n")
    changed = sensor.evaluate_tick(dg.build_sensor_context(cursor=first.cursor))
    assert len(changed.run_requests) == 1 and changed.cursor != first.cursor


def test_the_assets_are_grouped_by_layer(tmp_path: Path) -> None:
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    groups: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        groups.setdefault(graph.get(key).group_name, set()).add(key.path[0])
    assert set(groups) == {"ingestion", "staging", "intermediate", "marts"}
    assert all(groups[layer] == {layer} for layer in ("staging", "intermediate", "marts"))
    assert groups["ingestion"] == {"raw"}


def test_the_dagster_ui_is_installed_at_dagster_s_version() -> None:
    """`dagster dev` (README) serves the UI through dagster-webserver; without it, it exits 2."""
    from dagster_webserver.version import __version__ as webserver_version

    assert webserver_version == dg.__version__


def test_a_source_database_is_extracted_before_its_six_raw_tables_only(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb")
    without = build_definitions(settings).resolve_asset_graph()
    assert SOURCE_DB_KEY not in without.get_all_asset_keys()
    url = "postgresql://amicable:secret@localhost:5432/collections"
    graph = build_definitions(replace(settings, source_db=url)).resolve_asset_graph()
    after = {k for k in graph.get_all_asset_keys() if SOURCE_DB_KEY in graph.get(k).parent_keys}
    assert after == {dg.AssetKey(["raw", name]) for name in DEFAULT_TABLES}
    description = graph.get(SOURCE_DB_KEY).description or ""
    assert "amicable:***@localhost:5432/collections" in description
    assert "secret" not in description
