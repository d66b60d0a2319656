"""Build into a private copy of the warehouse, then publish it with one atomic rename.

DuckDB allows one writing process per file, and a writer cannot open a file that a reader
(the dashboard) holds, nor can a reader open one a writer holds. So `amicable build` never
writes the warehouse the dashboard reads:

1. take `<warehouse>.lock` (a second build on the same warehouse stops with a clear message);
2. copy the published warehouse (if any) to `<warehouse>.building`, so ingestion stays
   idempotent (`raw._loads`);
3. build into the copy;
4. if the build may be published, `os.replace` the copy over the published file: readers
   that hold the old file keep a consistent view until they close it, the next connection
   sees the new build. If not (a check blocks publication, `data_quality.policy`), the copy
   is kept as `<warehouse>.rejected` for the investigation: the dashboard keeps the last good
   build and shows the rejected build's check results on its data health page.

A build that stops on an exception publishes nothing (the previous warehouse stays, the copy
is removed). Runs launched from `dagster dev` write the configured warehouse in place. POSIX
rename semantics are assumed (Linux, macOS).
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class WarehouseLocked(Exception):
    """Another build holds the warehouse's build lock."""


class WarehouseCopyFailed(Exception):
    """The published warehouse could not be copied to build into (a full disk, say)."""


def staging_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".building")


def rejected_path(warehouse: Path) -> Path:
    """Where the last build that was not published is kept (removed by the next published one)."""
    return warehouse.with_name(warehouse.name + ".rejected")


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


@contextmanager
def staged_build(warehouse: Path, publishable: Callable[[], bool] = lambda: True) -> Iterator[Path]:
    """Yield the path to build into; on normal exit publish it over `warehouse` when
    `publishable()` says so, else keep it as `rejected_path(warehouse)`."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(warehouse).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseLocked(
                f"another build is writing {warehouse} (lock {lock_path(warehouse)}); "
                "wait for it to finish"
            ) from None
        staging = staging_path(warehouse)
        _remove(staging)  # left over by a build that was killed
        try:
            _copy(warehouse, staging)
        except OSError as exc:  # a full disk above all: leave no partial copy behind
            _remove(staging)
            raise WarehouseCopyFailed(
                f"cannot copy {warehouse} to {staging} to build into it: "
                f"{exc.strerror or exc}; the published warehouse is unchanged"
            ) from None
        try:
            yield staging
        except BaseException:
            _remove(staging)
            raise
        _checkpoint(staging)
        rejected = rejected_path(warehouse)
        _remove(rejected)  # the previous rejected build: this one is newer
        if not publishable():
            staging.replace(rejected)
            return
        _wal(warehouse).unlink(missing_ok=True)  # else it would be replayed onto the new file
        staging.replace(warehouse)


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def check_unlocked(warehouse: Path) -> None:
    """Raise `WarehouseLocked` at once when a build holds `warehouse` (the CLI asks before its
    slow imports; `staged_build` takes the lock for real)."""
    path = lock_path(warehouse)
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


def _copy(warehouse: Path, staging: Path) -> None:
    if warehouse.exists():
        shutil.copyfile(warehouse, staging)
        if _wal(warehouse).exists():  # unflushed transactions belong to that file
            shutil.copyfile(_wal(warehouse), _wal(staging))


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone is the whole build."""
    if database.exists():
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")


def _remove(database: Path) -> None:
    database.unlink(missing_ok=True)
    _wal(database).unlink(missing_ok=True)
