"""Fixtures for the dbt project: the hand-made raw warehouse after one `dbt build`."""

from __future__ import annotations

import pytest

from tests.dbt_project.raw_fixture import (
    AS_OF,
    RAW_FILES,
    DbtRun,
    build_raw_warehouse,
    dbt_vars,
    run_dbt,
)


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtRun:
    """The fixture warehouse after `dbt build --vars '{as_of: "2026-03-31"}'`."""
    work_dir = tmp_path_factory.mktemp("dbt_build")
    warehouse = work_dir / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    return run_dbt(["build", "--vars", dbt_vars(as_of=AS_OF)], warehouse, work_dir)
