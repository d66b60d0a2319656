"""The slot a build writes first takes the published slot's history (raw loads and rows,
quarantine, check results): the published warehouse holds every build's, whichever slot each
build wrote, and no file's rows twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from data_quality import results
from data_quality.results import CheckRecord
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema, ingest_source, load_time
from orchestration.catch_up import CatchUpFailed, catch_up
from orchestration.publish import published_slot, slot_paths, staged_build
from tests.ingestion.conftest import INVOICE_HEADER, write

ROW = "{id},D1,N{id},invoice,,2026-01-01,2026-01-31,{amount},EUR,2026-01-01T00:00:00Z"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    (tmp_path / "landing" / "erp").mkdir(parents=True)
    return tmp_path / "landing"


def _deliver(landing: Path, night: int) -> None:
    """Night `night`'s invoices file: two valid rows and one bad amount (quarantined)."""
    rows = [ROW.format(id=f"{night}-{i}", amount="x" if i == 3 else "10.00") for i in (1, 2, 3)]
    write(landing / f"erp/invoices_2026-01-0{night}T0000.csv", "\n".join([INVOICE_HEADER, *rows]))


def _build(live: Path, landing: Path, run_id: str, publishable: bool = True) -> Path:
    """Ingest every source into the slot and record one check result, as a build does."""
    with (
        staged_build(live, publishable=lambda: publishable) as slot,
        duckdb.connect(str(slot)) as con,
    ):
        ensure_raw_schema(con, SOURCES)
        for source in SOURCES:
            loaded_at = load_time(con, datetime.now(UTC).replace(tzinfo=None))
            ingest_source(con, landing, source, run_id, loaded_at)
        check = CheckRecord("invoices_exist", "raw_erp_invoices", "pass", True, 0)
        results.append(con, [check], run_id)
    return slot


def _history(database: Path) -> dict[str, object]:
    with duckdb.connect(str(database), read_only=True) as con:
        one = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        return {
            "loads": one(
                "select source_file, status, _batch_id from raw._loads"
                " where source_table = 'erp_invoices' order by source_file, _loaded_at"
            ),
            "invoices": one(
                "select invoice_id, count(*) from raw.erp_invoices group by all order by 1"
            ),
            "quarantined": one("select source_file, _batch_id from raw.quarantine order by 1"),
            "runs": [run for (run,) in one("select run_id from quality.check_results order by 1")],
        }


def test_every_build_is_in_the_published_history_whichever_slot_it_wrote(
    tmp_path: Path, landing: Path
) -> None:
    live = tmp_path / "warehouse.duckdb"
    a, b = slot_paths(live)
    for night in (1, 2, 3):
        _deliver(landing, night)
        slot = _build(live, landing, f"run-{night}")
    assert slot == a, "the third build wrote the slot the first one did"
    history = _history(live)
    assert history["loads"] == [
        (f"erp/invoices_2026-01-0{n}T0000.csv", "loaded", f"run-{n}") for n in (1, 2, 3)
    ], "each file loaded once, by the build that first saw it"
    assert history["invoices"] == [(f"{n}-{i}", 1) for n in (1, 2, 3) for i in (1, 2)]
    assert history["quarantined"] == [
        (f"erp/invoices_2026-01-0{n}T0000.csv", f"run-{n}") for n in (1, 2, 3)
    ]
    assert history["runs"] == ["run-1", "run-2", "run-3"]


def test_a_rejected_build_stays_in_the_history_of_the_next_one(
    tmp_path: Path, landing: Path
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _deliver(landing, 1)
    _build(live, landing, "run-1")
    _deliver(landing, 2)
    rejected = _build(live, landing, "run-2", publishable=False)
    _deliver(landing, 3)
    slot = _build(live, landing, "run-3")
    assert slot == rejected == published_slot(live), "the next build continues the rejected slot"
    history = _history(live)
    assert history["runs"] == ["run-1", "run-2", "run-3"]
    assert [n for n, count in history["invoices"] if count != 1] == []
    assert len(history["invoices"]) == 6


def test_catching_up_twice_copies_nothing_the_second_time(tmp_path: Path, landing: Path) -> None:
    live = tmp_path / "warehouse.duckdb"
    a, b = slot_paths(live)
    _deliver(landing, 1)
    _build(live, landing, "run-1")
    _build(live, landing, "run-2")
    _deliver(landing, 2)
    _build(live, landing, "run-3")  # slot A; B (published: run-2) is behind it
    assert published_slot(live) == a
    copied = catch_up(b, a)
    assert copied == {
        "raw._loads": 1,
        "raw.erp_invoices": 2,
        "raw.quarantine": 1,
        "quality.check_results": 1,
    }, "run-3's rows only: B holds run-1's (copied from A) and run-2's (its own)"
    assert catch_up(b, a) == {}
    assert _history(a) == _history(b)


def test_a_history_table_naming_no_build_stops_the_build_with_its_name(
    tmp_path: Path, landing: Path
) -> None:
    live = tmp_path / "warehouse.duckdb"
    _deliver(landing, 1)
    slot = _build(live, landing, "run-1")
    with duckdb.connect(str(slot)) as con:
        con.execute("create table quality.notes (note varchar)")
    with pytest.raises(CatchUpFailed, match=r"quality\.notes of the published warehouse"):
        _build(live, landing, "run-2")
    assert _history(live)["runs"] == ["run-1"], "the published warehouse is unchanged"
