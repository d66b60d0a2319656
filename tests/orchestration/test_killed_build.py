"""A daily build killed with SIGKILL, during ingestion and then during dbt, is completed by
the next `amicable build`: no source row lost or loaded twice, every model equal to a daily
build that was never interrupted, and the published warehouse untouched until then.

The tiny sample's build (tests/conftest.py) is copied twice; both copies get the same next
night of files (re-sent case events, late corrections to last year's invoices with a
duplicate among them, re-sent calls). One copy is built once; the other is killed right
after the case events are ingested (the invoices of the night are not yet), then killed
again while dbt builds its models, then built to the end.
"""

from __future__ import annotations

import csv
import itertools
import os
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.publish import published_slot, slot_paths
from tests.conftest import SampleBuild, copy_build
from tests.warehouse_compare import differences

NEXT_NIGHT = date(2026, 11, 21)
STAMP = "2026-11-21T0200"
# Lineage of a raw row (which build loaded it, and when) and of a load (the file's mtime:
# each copy of the landing zone wrote the night's files at its own time).
RAW_LINEAGE = frozenset({"_loaded_at", "_batch_id", "file_mtime_ns"})


def _loaded_files(sample_build: SampleBuild, table: str) -> list[Path]:
    """The files of `table` the sample's build loaded (not a rejected planted defect)."""
    landing = sample_build.settings.landing
    rows = sample_build.query(
        "select source_file from raw._loads where source_table = ? and status = 'loaded'"
        " order by source_file",
        [table],
    )
    return [landing / name for (name,) in rows]


def _write_next_night(sample_build: SampleBuild, landing: Path) -> None:
    """The next night's files, every row taken from earlier files: re-sent case events and
    calls (duplicates that must collapse), and invoices from the first file with their due
    date moved ten days on and a later updated_at (late corrections restating a year of
    ageing), one of them twice."""
    events = _loaded_files(sample_build, "cases_case_events")[-1]
    lines = events.read_text(encoding="utf-8").splitlines()[-5:]
    (landing / "cases" / f"case_events_{STAMP}.jsonl").write_text("\n".join(lines) + "\n")

    calls = _loaded_files(sample_build, "contacts_calls")[-1]
    rows = calls.read_text(encoding="utf-8").splitlines()
    (landing / "contacts" / f"calls_{STAMP}.csv").write_text("\n".join(rows[:1] + rows[-5:]) + "\n")

    invoices = _loaded_files(sample_build, "erp_invoices")[0]
    with invoices.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, corrected = reader.fieldnames, list(itertools.islice(reader, 4))
    for row in corrected:
        row["due_date"] = (date.fromisoformat(row["due_date"]) + timedelta(days=10)).isoformat()
        row["updated_at"] = "2026-11-20T21:00:00Z"
    with (landing / "erp" / f"invoices_{STAMP}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows([*corrected, corrected[0]])


def _start(warehouse: Path, landing: Path, stderr: Any = subprocess.PIPE) -> subprocess.Popen:
    """`amicable build` of the next night, in its own process group."""
    command = [sys.executable, "-m", "amicable.cli", "build", "--landing", str(landing)]
    command += ["--warehouse", str(warehouse), "--as-of", NEXT_NIGHT.isoformat()]
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
        start_new_session=True,
    )


def _build(warehouse: Path, landing: Path, kill_after: str | None = None) -> int:
    """Run the build to its end; with `kill_after`, SIGKILL its process group as soon as a
    progress line starting with it (after the elapsed time) appears. The exit code."""
    process = _start(warehouse, landing)
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line.rstrip())
        if kill_after and line[8:].startswith(kill_after):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return process.returncode
    returncode = process.wait()
    assert not kill_after, f"no progress line {kill_after!r} before the end:\n" + "\n".join(seen)
    return returncode


def _query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _unpublished_slot(warehouse: Path) -> Path:
    published = published_slot(warehouse)
    (slot,) = [s for s in slot_paths(warehouse) if s != published]
    return slot


@pytest.fixture(scope="module")
def builds(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("killed")
    reference = copy_build(sample_build, base / "reference")
    killed = copy_build(sample_build, base / "killed")
    for warehouse in (reference, killed):
        _write_next_night(sample_build, warehouse.parent / "landing")
    # The uninterrupted build runs meanwhile, on the other core.
    # (Its stderr to a file: an unread pipe that fills would stall it.)
    errors = base / "uninterrupted.stderr"
    with errors.open("w") as stderr:
        uninterrupted = _start(reference, reference.parent / "landing", stderr)

    try:
        landing = killed.parent / "landing"
        assert _build(killed, landing, kill_after="ingested cases_case_events") == -signal.SIGKILL
        slot = _unpublished_slot(killed)
        loaded_in_slot = {f for (f,) in _query(slot, "select source_file from raw._loads")}
        assert _build(killed, landing, kill_after="dbt model 20 of") == -signal.SIGKILL
        as_of_published = _query(killed, "select as_of_date from marts.dim_build")
        returncode = _build(killed, landing)
        assert uninterrupted.wait() == 0, errors.read_text()[-3000:]
    finally:
        if uninterrupted.poll() is None:
            os.killpg(uninterrupted.pid, signal.SIGKILL)
    return {
        "reference": reference,
        "killed": killed,
        "loaded_after_first_kill": loaded_in_slot,
        "as_of_published_after_second_kill": as_of_published,
        "returncode": returncode,
    }


def test_the_kills_landed_during_ingestion_and_during_dbt(builds: dict) -> None:
    loaded = builds["loaded_after_first_kill"]
    assert f"cases/case_events_{STAMP}.jsonl" in loaded
    assert f"erp/invoices_{STAMP}.csv" not in loaded
    # Killed in dbt: readers still saw the last published build, not a half-built one.
    assert builds["as_of_published_after_second_kill"] == [(date(2026, 11, 20),)]


def test_the_next_build_completes_and_publishes_the_night(builds: dict) -> None:
    assert builds["returncode"] == 0
    assert _query(builds["killed"], "select as_of_date from marts.dim_build") == [(NEXT_NIGHT,)]


def test_no_source_row_is_lost_or_loaded_twice(builds: dict) -> None:
    with duckdb.connect(str(builds["killed"]), read_only=True) as con:
        con.execute(f"attach '{builds['reference']}' as reference (read_only)")
        catalog = con.execute("select current_database()").fetchone()[0]
        raw = differences(con, catalog, "reference", schemas=("raw",), ignore=RAW_LINEAGE)
        assert raw == {}
        loads = (
            "select source_file, status, rows_read, rows_loaded, rows_quarantined"
            " from {}.raw._loads where source_file like '%{}%' order by 1"
        )
        night = con.execute(loads.format(catalog, STAMP)).fetchall()
        assert night == con.execute(loads.format("reference", STAMP)).fetchall()
        assert [row[1] for row in night] == ["loaded"] * 3


def test_every_model_equals_the_uninterrupted_build(builds: dict) -> None:
    with duckdb.connect(str(builds["killed"]), read_only=True) as con:
        con.execute(f"attach '{builds['reference']}' as reference (read_only)")
        catalog = con.execute("select current_database()").fetchone()[0]
        assert differences(con, catalog, "reference") == {}
        corrected = con.execute(
            f"select count(*) from {catalog}.staging.stg_erp__invoices"
            f" where _source_file = 'erp/invoices_{STAMP}.csv'"
        ).fetchone()[0]
        assert corrected == 4  # the late corrections won, their duplicate collapsed
