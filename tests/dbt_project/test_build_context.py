"""dbt never picks its own "today": the as-of date comes from the orchestrator, once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from orchestration.dbt_assets import DbtBuildConfig, build_environment, dbt_vars
from tests.dbt_project.raw_fixture import RAW_FILES, build_raw_warehouse, run_dbt


def test_a_dbt_run_without_the_as_of_date_fails_with_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    run = run_dbt(["run", "--select", "dim_build"], warehouse, tmp_path)
    assert run.returncode != 0
    assert "var as_of is required (YYYY-MM-DD)" in run.output


def test_the_build_values_go_to_the_environment_and_the_configuration_to_vars() -> None:
    values = {"as_of": "2026-03-31", "run_id": "r-1", "tested_batches": ["B1"], "dso": {"x": 1}}
    variables, env = build_environment(values)
    assert variables == {"dso": {"x": 1}}
    assert env == {
        "AMICABLE_BUILD_AS_OF": '"2026-03-31"',
        "AMICABLE_BUILD_RUN_ID": '"r-1"',
        "AMICABLE_BUILD_TESTED_BATCHES": '["B1"]',
        # not given by this build: empty, so none left in the caller's environment reaches dbt
        "AMICABLE_BUILD_BUILD_FINGERPRINT": "",
        "AMICABLE_BUILD_FULL_REFRESH_REASON": "",
        "AMICABLE_BUILD_TESTED_MARKS": "",
        "DBT_LOG_FORMAT_FILE": "debug",  # dbt's file log as lines, not JSON
    }


def test_each_build_reads_its_own_values_and_keeps_dbt_s_parse(tmp_path: Path) -> None:
    """Two builds' values, given as the orchestrator gives them (`build_environment`), reach
    marts.dim_build, and the second build reuses the first's parse whole (dbt's log, written
    at debug level): a value that changes every build is neither a dbt var nor read while
    parsing."""
    warehouse, log = tmp_path / "warehouse.duckdb", tmp_path / "logs" / "dbt.log"
    build_raw_warehouse(warehouse, RAW_FILES)
    business = load_config(DEFAULT_CONFIG).dbt_vars()
    seen = []
    for as_of, run_id, reason in (("2026-03-30", "run-1", "first"), ("2026-03-31", "run-2", "")):
        values = dbt_vars(DbtBuildConfig(as_of=as_of), business, run_id)
        values |= {"build_fingerprint": f"fp-{run_id}", "full_refresh_reason": reason}
        variables, env = build_environment(values)
        logged = log.stat().st_size if log.exists() else 0
        args = ["run", "--select", "dim_build", "--vars", json.dumps(variables)]
        run = run_dbt(args, warehouse, tmp_path, env)
        assert run.returncode == 0, run.output
        with duckdb.connect(str(warehouse), read_only=True) as con:
            seen.append(
                con.execute(
                    "select as_of_date, run_id, build_fingerprint, full_refresh_reason"
                    " from marts.dim_build"
                ).fetchone()
            )
        with log.open("rb") as text:
            text.seek(logged)
            seen.append(
                b"Partial parsing enabled, no changes found, skipping parsing" in text.read()
            )
    assert seen == [
        (date(2026, 3, 30), "run-1", "fp-run-1", "first"),
        False,  # no saved parse yet
        (date(2026, 3, 31), "run-2", "fp-run-2", ""),
        True,
    ]
