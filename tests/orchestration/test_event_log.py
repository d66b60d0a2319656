"""The build's Dagster history is written without fsync (`orchestration.event_log`), and is
still a working history: a run stored is read back."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.build import dagster_instance


@dg.asset
def answer() -> int:
    return 42


def test_the_warehouses_dagster_instance_commits_without_fsync_and_keeps_its_runs(
    tmp_path: Path,
) -> None:
    with dagster_instance(tmp_path / "warehouse.duckdb") as instance:
        with instance.event_log_storage.index_connection() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 0  # OFF
        result = dg.materialize([answer], instance=instance)
        assert result.success
    with dagster_instance(tmp_path / "warehouse.duckdb") as reopened:
        assert reopened.get_run_by_id(result.run_id).is_success
        assert reopened.get_latest_materialization_event(dg.AssetKey("answer")) is not None
