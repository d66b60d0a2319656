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


def test_a_build_reuses_one_engine_per_history_file_and_leaves_dagsters_own_after(
    tmp_path: Path,
) -> None:
    """Inside `history_connections_reused` (how `run_build` runs), the event log connects to
    each SQLite file once for a whole run instead of once per event (a block inside another
    keeps the outer's engines); after the outermost, Dagster's own connection methods are back,
    no engine is kept, and the history reads back either way."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from orchestration import event_log
    from orchestration.event_log import history_connections_reused

    connects: list[object] = []

    def count(connection: object, _record: object) -> None:
        connects.append(connection)

    dagsters_own = (SqliteEventLogStorage._connect, SqliteRunStorage.connect)
    event.listen(Engine, "connect", count)
    try:
        with dagster_instance(tmp_path / "warehouse.duckdb") as instance:
            per_event = dg.materialize([answer], instance=instance)
            opened_per_event = len(connects)
            connects.clear()
            with history_connections_reused():
                reused = dg.materialize([answer], instance=instance)
                opened_reused = len(connects)
                with history_connections_reused():
                    nested = dg.materialize([answer], instance=instance)
                assert SqliteEventLogStorage._connect is not dagsters_own[0], "outer still runs"
                assert event_log._ENGINES, "the outer block's engines are kept"
    finally:
        event.remove(Engine, "connect", count)
    assert (SqliteEventLogStorage._connect, SqliteRunStorage.connect) == dagsters_own
    assert not event_log._ENGINES
    assert nested.success
    assert per_event.success and reused.success
    events = len(instance.all_logs(reused.run_id))
    assert opened_per_event >= events > 10, (opened_per_event, events)
    assert opened_reused <= 6, "about one per file: the run's events, the index, the runs"
    with dagster_instance(tmp_path / "warehouse.duckdb") as reopened:
        assert reopened.get_run_by_id(reused.run_id).is_success
        assert len(reopened.all_logs(reused.run_id)) == events
