"""Builds write a private copy and publish it atomically: readers never block a build."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.publish import (
    WarehouseCopyFailed,
    WarehouseLocked,
    check_unlocked,
    rejected_path,
    staged_build,
    staging_path,
)


def _write(database: Path, value: int) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create or replace table t as select ? as v", [value])


def _read(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_a_build_starts_from_a_copy_and_publishes_over_the_warehouse(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    with staged_build(live) as staging:
        assert staging == staging_path(live) and staging != live
        assert _read(staging) == 1  # the copy carries the last build (raw._loads, marts)
        _write(staging, 2)
        assert _read(live) == 1  # nothing published before the build ends
    assert _read(live) == 2
    assert not staging.exists()


def test_the_first_build_creates_the_warehouse(tmp_path: Path) -> None:
    live = tmp_path / "new" / "warehouse.duckdb"
    with staged_build(live) as staging:
        _write(staging, 5)
    assert _read(live) == 5


def test_a_reader_keeps_its_view_during_and_after_a_build(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    reader = duckdb.connect(str(live), read_only=True)  # the dashboard, mid-query
    try:
        with staged_build(live) as staging:
            _write(staging, 2)  # in place, this write would fail on the reader's lock
        assert reader.execute("select v from t").fetchone()[0] == 1
    finally:
        reader.close()
    assert _read(live) == 2  # the next connection sees the new build


def test_a_failed_build_publishes_nothing(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    with pytest.raises(RuntimeError), staged_build(live) as staging:
        _write(staging, 2)
        raise RuntimeError("dbt crashed")
    assert _read(live) == 1
    assert not staging_path(live).exists()


def test_a_second_build_on_the_same_warehouse_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    with staged_build(live) as staging:
        _write(staging, 1)
        with pytest.raises(WarehouseLocked, match="another build is writing"), staged_build(live):
            pass
    assert _read(live) == 1


def test_a_copy_left_by_a_killed_build_is_discarded(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    _write(staging_path(live), 99)
    with staged_build(live) as staging:
        assert _read(staging) == 1
    assert _read(live) == 1


def test_a_build_a_check_blocks_is_kept_apart_and_the_published_one_stays(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    with staged_build(live, publishable=lambda: False) as staging:
        _write(staging, 2)
    assert _read(live) == 1, "the dashboard keeps the last good build"
    assert _read(rejected_path(live)) == 2, "the blocked build is kept for the investigation"
    assert not staging_path(live).exists()
    with staged_build(live) as staging:
        _write(staging, 3)
    assert _read(live) == 3
    assert not rejected_path(live).exists(), "a published build clears the rejected one"


def test_a_copy_that_fills_the_disk_leaves_nothing_behind_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)

    def copy_half_then_fail(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", copy_half_then_fail)
    failed = pytest.raises(WarehouseCopyFailed, match="No space left on device; the published")
    with failed, staged_build(live):
        pass  # never reached
    assert not staging_path(live).exists(), "no partial copy left to fill the disk"
    assert _read(live) == 1


def test_a_second_build_is_refused_at_once_while_one_holds_the_lock(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    check_unlocked(live)  # no build yet: nothing to wait for
    with staged_build(live) as staging:
        _write(staging, 1)
        with pytest.raises(WarehouseLocked, match="another build is writing"):
            check_unlocked(live)
    check_unlocked(live)  # released
