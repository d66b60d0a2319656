"""Builds write the warehouse's unpublished slot and publish it by re-pointing a symlink:
readers never block a build, never see half of one, and never find no warehouse."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import publish
from orchestration.publish import (
    WarehouseCopyFailed,
    WarehouseLocked,
    WarehouseSlotBusy,
    check_unlocked,
    published_slot,
    rejected_path,
    slot_paths,
    staged_build,
)


def _write(database: Path, value: int) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create or replace table t as select ? as v", [value])


def _read(database: Path) -> int:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def _build(live: Path, value: int, publishable: bool = True) -> Path:
    with staged_build(live, publishable=lambda: publishable) as slot:
        _write(slot, value)
    return slot


def test_the_first_build_creates_the_warehouse_as_a_link_to_its_slot(tmp_path: Path) -> None:
    live = tmp_path / "new" / "warehouse.duckdb"
    slot = _build(live, 5)
    assert slot == slot_paths(live)[0] and published_slot(live) == slot
    assert os.readlink(live) == slot.name, "relative: the folder can move"
    assert _read(live) == 5


def test_builds_alternate_between_the_slots_and_copy_the_warehouse_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "warehouse.duckdb"
    a, b = slot_paths(live)
    _build(live, 1)
    copies: list[tuple[str, str]] = []
    copyfile = shutil.copyfile
    monkeypatch.setattr(shutil, "copyfile", lambda s, t: copies.append((s, t)) or copyfile(s, t))
    with staged_build(live) as slot:
        assert slot == b and _read(slot) == 1, "the first copy carries the last build"
        _write(slot, 2)
        assert _read(live) == 1, "nothing published before the build ends"
    assert _read(live) == 2 and published_slot(live) == b
    with staged_build(live) as slot:
        assert slot == a and _read(slot) == 1, "the slot before: this build continues it"
        _write(slot, 3)
    assert _read(live) == 3 and published_slot(live) == a
    assert [(Path(s).name, Path(t).name) for s, t in copies] == [(a.name, b.name + ".partial")]
    beside = {p.name for p in tmp_path.iterdir()}
    assert beside == {live.name, a.name, b.name, f"{live.name}.lock"}, (
        "no copy, temporary link or write-ahead log left beside the warehouse"
    )


def test_a_reader_keeps_its_view_during_and_after_a_build(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    reader = duckdb.connect(str(live), read_only=True)  # the dashboard, mid-query
    try:
        _build(live, 2)  # in the published file, this write would fail on the reader's lock
        assert reader.execute("select v from t").fetchone()[0] == 1
        assert _read(live) == 2, "the next connection opens the new build"
    finally:
        reader.close()


def test_readers_always_find_a_whole_warehouse_while_builds_publish(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 0)
    seen: list[int | str] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            try:
                seen.append(_read(live))
            except duckdb.Error as exc:
                seen.append(str(exc))

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        for value in range(1, 9):
            _build(live, value)
    finally:
        done.set()
        reader.join()
    errors = [s for s in seen if isinstance(s, str)]
    assert errors == [] and len(seen) > 8
    assert seen == sorted(seen), "a reader never goes back to an older build"


def test_a_failed_build_publishes_nothing_and_the_next_build_continues_its_slot(
    tmp_path: Path,
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    with pytest.raises(RuntimeError), staged_build(live) as slot:
        _write(slot, 2)
        with duckdb.connect(str(slot)) as con:
            con.execute("create table half as select 1 as done")
        raise RuntimeError("dbt crashed")
    assert _read(live) == 1 and published_slot(live) == slot_paths(live)[0]
    assert slot.exists(), "the half-done slot is kept"
    with staged_build(live) as again:
        assert again == slot
        with duckdb.connect(str(again), read_only=True) as con:
            assert con.execute("select v from t").fetchone()[0] == 2
            assert con.execute("select done from half").fetchone()[0] == 1
        _write(again, 3)
    assert _read(live) == 3


def test_a_second_build_on_the_same_warehouse_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    with staged_build(live) as staging:
        _write(staging, 1)
        with pytest.raises(WarehouseLocked, match="another build is writing"), staged_build(live):
            pass
    assert _read(live) == 1


def test_a_second_build_is_refused_at_once_while_one_holds_the_lock(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    check_unlocked(live)  # no build yet: nothing to wait for
    with staged_build(live) as staging:
        _write(staging, 1)
        with pytest.raises(WarehouseLocked, match="another build is writing"):
            check_unlocked(live)
        relative = Path(os.path.relpath(live))
        with pytest.raises(WarehouseLocked):
            check_unlocked(relative)  # the same lock, however the path is spelled
    check_unlocked(live)  # released


def test_a_build_a_check_blocks_is_kept_apart_and_the_published_one_stays(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    blocked = _build(live, 2, publishable=False)
    assert _read(live) == 1, "the dashboard keeps the last good build"
    assert rejected_path(live).resolve() == blocked
    assert _read(rejected_path(live)) == 2, "the blocked build is kept for the investigation"
    with staged_build(live) as slot:
        assert not rejected_path(live).exists(), "the next build overwrites it: not shown"
        assert slot == blocked
        _write(slot, 3)
    assert _read(live) == 3
    assert not rejected_path(live).exists(), "a published build leaves no rejected one"


def test_a_blocked_build_then_a_failed_one_shows_no_rejected_build(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    _build(live, 2, publishable=False)
    with pytest.raises(RuntimeError), staged_build(live) as slot:
        _write(slot, 3)
        raise RuntimeError("dbt crashed")
    assert not rejected_path(live).exists(), "its slot holds half of another build now"
    assert _read(live) == 1


def test_a_warehouse_of_an_earlier_version_becomes_slot_a(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)  # a plain file, with an earlier version's leftovers beside it
    _write(live.with_name(live.name + ".building"), 99)
    _write(live.with_name(live.name + ".rejected"), 98)
    a, b = slot_paths(live)
    inode = live.stat().st_ino
    with staged_build(live) as slot:
        assert live.is_symlink() and published_slot(live) == a
        assert a.stat().st_ino == inode, "the same file, renamed: readers holding it keep it"
        assert slot == b and _read(slot) == 1
        _write(slot, 2)
    assert _read(live) == 2 and _read(a) == 1
    assert not live.with_name(live.name + ".building").exists()
    assert not rejected_path(live).exists()


def test_adopting_an_earlier_warehouse_keeps_its_write_ahead_log(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _write(live, 1)
    _write_without_checkpoint(live, 2)  # a writer killed before its checkpoint
    assert _wal(live).exists()
    with staged_build(live) as slot:
        assert _read(live) == 2 and not _wal(live).exists()
        assert _read(slot) == 2
    assert _read(live) == 2


@pytest.mark.parametrize("killed_after", ["link", "slot"])
def test_an_adoption_killed_midway_is_done_again_by_the_next_build(
    tmp_path: Path, killed_after: str
) -> None:
    live = tmp_path / "warehouse.duckdb"
    a = slot_paths(live)[0]
    _write(live, 1)
    partial = a.with_name(a.name + ".partial")
    os.link(live, partial)
    if killed_after == "slot":
        partial.replace(a)
        _write(a.with_name(a.name + ".wal"), 0)  # a stale log must not be replayed
    assert _read(live) == 1, "the path still names the whole file"
    _build(live, 2)
    assert _read(live) == 2 and _read(a) == 1
    assert not partial.exists()


def test_a_copy_that_fills_the_disk_leaves_nothing_behind_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)

    def copy_half_then_fail(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", copy_half_then_fail)
    failed = pytest.raises(WarehouseCopyFailed, match="No space left on device; the published")
    with failed, staged_build(live):
        pass  # never reached
    leftovers = {p.name for p in tmp_path.iterdir()} - {live.name, live.name + ".lock"}
    assert leftovers == {slot_paths(live)[0].name}, "no partial copy left to fill the disk"
    assert _read(live) == 1
    monkeypatch.undo()
    _build(live, 2)
    assert _read(live) == 2, "the next build copies again"


def test_a_build_waits_for_a_reader_still_in_the_slot_it_must_write(tmp_path: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    _build(live, 2)
    retired = slot_paths(live)[0]
    reader = _hold_in_another_process(live.with_name("old-reader"), retired, seconds=1.5)
    try:
        started = time.monotonic()
        _build(live, 3)
        assert time.monotonic() - started > 0.5, "it waited for the reader"
    finally:
        reader.wait()
    assert _read(live) == 3


def test_a_reader_that_never_leaves_stops_the_build_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _build(live, 1)
    _build(live, 2)
    monkeypatch.setattr(publish, "READER_WAIT_SECONDS", 0.3)
    reader = _hold_in_another_process(live.with_name("old-reader"), slot_paths(live)[0], 5)
    try:
        with pytest.raises(WarehouseSlotBusy, match="a reader still holds it"), staged_build(live):
            pass
    finally:
        reader.kill()
        reader.wait()
    assert _read(live) == 2


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _write_without_checkpoint(database: Path, value: int) -> None:
    code = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute(\"set checkpoint_threshold = '1GB'\")\n"
        "con.execute('update t set v = ?', [int(sys.argv[2])])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(database), str(value)], check=True)


def _hold_in_another_process(ready: Path, database: Path, seconds: float) -> subprocess.Popen:
    """A dashboard query on `database` lasting `seconds`, in another process; returns once the
    connection is open (`ready` is written then)."""
    code = (
        "import duckdb, pathlib, sys, time\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "pathlib.Path(sys.argv[2]).touch()\n"
        "time.sleep(float(sys.argv[3]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(database), str(ready), str(seconds)]
    )
    while not ready.exists():
        assert process.poll() is None, "the reader could not open the slot"
        time.sleep(0.05)
    ready.unlink()
    return process
