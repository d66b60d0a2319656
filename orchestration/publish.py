"""Build into the warehouse's unpublished slot, then publish it by re-pointing a symlink.

DuckDB allows one writing process per file, and a writer cannot open a file that a reader
(the dashboard) holds, nor can a reader open one a writer holds. So a warehouse is two slot
files beside its path, and the path readers open is a symlink to one of them:

    warehouse.duckdb          -> warehouse.duckdb.slot-a    (published: readers open this)
    warehouse.duckdb.slot-a      the published build
    warehouse.duckdb.slot-b      the other slot: the next build writes it in place
    warehouse.duckdb.rejected -> warehouse.duckdb.slot-b    (only while a blocked build waits)
    warehouse.duckdb.lock        the build lock

A build (`staged_build`), step by step; a process killed between any two steps leaves the
published warehouse whole, and the next build starts over from step 1:

1. take `<warehouse>.lock` (a second build on the same warehouse stops with a clear message);
2. a plain file at the path (an earlier version's warehouse) becomes slot A: hard-linked (or
   copied) to a temporary name, renamed to slot A, then the path is replaced by a symlink to
   it (`os.replace`, atomic): the path always names that file (an earlier version's leftover
   `.building` copy is removed);
3. remove the `.rejected` link: its slot is about to be written;
4. the slot not published is the one to write. When it does not exist, copy the published
   slot to a temporary name and rename it (once: the first build after the first one);
   otherwise it holds the build before the last one (or a failed one), and this build
   continues it. Wait (up to `READER_WAIT_SECONDS`) for a reader still inside a query
   on it, opened before the last publication;
5. carry into the slot the published slot's history it lacks (`orchestration.catch_up`:
   the raw, quality and alerts tables' rows of the builds it has not seen, in one
   transaction); then ingestion skips what is already loaded (`raw._loads`) and dbt brings
   the models up to date;
6. build into the slot, then send its alerts and record them in it (`amicable.alerts`);
7. checkpoint it (its write-ahead log folded in, so the file alone is the build). DuckDB
   reuses the blocks a replaced table frees and cuts free blocks off the end of the file, so
   a slot stays under twice its data over daily builds, without a compaction step
   (`benchmarks/warehouse_size.py`);
8. if the build may be published, re-point the path to the slot (a temporary symlink
   renamed over it): a reader that opened the old slot keeps a consistent view until it
   closes, the next connection opens the new build. If not (a check blocks publication,
   `data_quality.policy`), point `<warehouse>.rejected` at the slot instead: the dashboard
   keeps the last good build and shows the rejected build's checks on its data health page,
   until the next build starts.

A build that stops on an exception publishes nothing and leaves its slot as it is; the next
build continues it. DuckDB opens a symlink's target (its write-ahead log is named after the
slot), so runs launched from `dagster dev`, which write the configured warehouse in place,
write the published slot. POSIX rename and symlink semantics are assumed (Linux, macOS).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.catch_up import catch_up

READER_WAIT_SECONDS = 30.0  # a dashboard query lasts well under a second


class WarehouseLocked(Exception):
    """Another build holds the warehouse's build lock."""


class WarehouseCopyFailed(Exception):
    """The published warehouse could not be copied to build into (a full disk, say)."""


class WarehouseSlotBusy(Exception):
    """A reader still holds the slot a build must write."""


def published_path(warehouse: Path) -> Path:
    """The absolute path readers open: folders resolved, not the file itself (a symlink to
    the published slot)."""
    warehouse = Path(warehouse).expanduser()
    return warehouse.absolute().parent.resolve() / warehouse.name


def slot_paths(warehouse: Path) -> tuple[Path, Path]:
    """The two files a warehouse's builds alternate between."""
    return tuple(warehouse.with_name(f"{warehouse.name}.slot-{s}") for s in "ab")  # type: ignore[return-value]


def rejected_path(warehouse: Path) -> Path:
    """A link to the last build that was not published (removed when the next build starts)."""
    return warehouse.with_name(warehouse.name + ".rejected")


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def published_slot(warehouse: Path) -> Path | None:
    """The slot `warehouse` points to; None when it is absent or not a link to a slot."""
    if not warehouse.is_symlink():
        return None
    target = warehouse.parent / os.readlink(warehouse)
    return target if target in slot_paths(warehouse) else None


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


@contextmanager
def staged_build(warehouse: Path, publishable: Callable[[], bool] = lambda: True) -> Iterator[Path]:
    """Yield the slot to build into; on normal exit publish it at `warehouse` when
    `publishable()` says so, else point `rejected_path(warehouse)` at it."""
    warehouse = published_path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(warehouse):
        if warehouse.exists() and published_slot(warehouse) is None:
            _adopt(warehouse)
        rejected_path(warehouse).unlink(missing_ok=True)
        slot = _slot_to_write(warehouse)
        wait_for_readers(slot)
        catch_up(slot, published_slot(warehouse))
        yield slot
        _checkpoint(slot)
        _point(warehouse if publishable() else rejected_path(warehouse), slot)


@contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """Hold `<warehouse>.lock` (`warehouse`: the published path); raise `WarehouseLocked` at
    once when a build (or anything else writing the warehouse, `amicable.alerts`) holds it."""
    with lock_path(warehouse).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseLocked(
                f"another build is writing {warehouse} (lock {lock_path(warehouse)}); "
                "wait for it to finish"
            ) from None
        yield


def check_unlocked(warehouse: Path) -> None:
    """Raise `WarehouseLocked` at once when a build holds `warehouse` (the CLI asks before its
    slow imports; `staged_build` takes the lock for real)."""
    path = lock_path(published_path(warehouse))
    if not path.exists():
        return
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseLocked(
                f"another build is writing {warehouse} (lock {path}); wait for it to finish"
            ) from None
        fcntl.flock(lock, fcntl.LOCK_UN)


def _adopt(warehouse: Path) -> None:
    """Make an earlier version's warehouse (a plain file at the path) slot A."""
    slot = slot_paths(warehouse)[0]
    _place(warehouse, slot, _link_or_copy)
    _point(warehouse, slot)
    _wal(warehouse).unlink(missing_ok=True)  # its copy is the slot's now
    _remove(warehouse.with_name(warehouse.name + ".building"))  # an earlier killed build's


def _slot_to_write(warehouse: Path) -> Path:
    published = published_slot(warehouse)
    slot = next(s for s in slot_paths(warehouse) if s != published)
    if published is not None and not slot.exists():
        _place(published, slot, shutil.copyfile)
    return slot


def _place(source: Path, slot: Path, put: Callable[[Path, Path], object]) -> None:
    """Put a copy of `source` and of its write-ahead log (if any) at `slot`; the slot's name
    appears last, naming a whole file. A failure (a full disk) leaves no partial file."""
    partial = slot.with_name(slot.name + ".partial")
    try:
        _remove(partial)
        put(source, partial)
        _wal(slot).unlink(missing_ok=True)  # a stale one would be replayed onto the slot
        if _wal(source).exists():  # unflushed transactions belong to that file
            put(_wal(source), _wal(slot))
        partial.replace(slot)
        partial.unlink(missing_ok=True)  # left when both named one file: rename did nothing
    except OSError as exc:
        _remove(partial)
        _wal(slot).unlink(missing_ok=True)
        raise WarehouseCopyFailed(
            f"cannot copy {source} to {slot} to build into it: "
            f"{exc.strerror or exc}; the published warehouse is unchanged"
        ) from None


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links, or source on another device
        shutil.copyfile(source, target)


def _point(link: Path, slot: Path) -> None:
    """Make `link` a symlink to `slot` (its name, relative) in one rename."""
    new = link.with_name(link.name + ".new")
    new.unlink(missing_ok=True)
    new.symlink_to(slot.name)
    new.replace(link)


def wait_for_readers(slot: Path, seconds: float | None = None) -> None:
    """Open `slot` for writing once, waiting while a reader that opened it before the last
    publication is still inside a query."""
    deadline = time.monotonic() + (READER_WAIT_SECONDS if seconds is None else seconds)
    while True:
        try:
            duckdb.connect(str(slot)).close()
            return
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            held = isinstance(exc, duckdb.ConnectionException) or "lock" in str(exc).lower()
            if not held:
                raise
            if time.monotonic() > deadline:
                raise WarehouseSlotBusy(
                    f"cannot write {slot}: a reader still holds it "
                    f"({str(exc).splitlines()[0]}); the published warehouse is unchanged"
                ) from None
        time.sleep(0.2)


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the whole build."""
    if database.exists():
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")


def _remove(database: Path) -> None:
    database.unlink(missing_ok=True)
    _wal(database).unlink(missing_ok=True)
