"""dbt never picks its own "today": the as-of date comes from the orchestrator, once."""

from __future__ import annotations

from pathlib import Path

from tests.dbt_project.raw_fixture import RAW_FILES, build_raw_warehouse, run_dbt


def test_a_dbt_run_without_the_as_of_date_fails_with_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    run = run_dbt(["run", "--select", "dim_build"], warehouse, tmp_path)
    assert run.returncode != 0
    assert "var as_of is required (YYYY-MM-DD)" in run.output
