from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion import load as load_module
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import (
    LandingError,
    ensure_raw_schema,
    ingest_source,
    load_time,
    quarantine_messages,
)
from tests.ingestion.conftest import INVOICE_HEADER, write

INVOICES = SOURCES_BY_NAME["erp_invoices"]
ROW = "{id},D1,N{id},invoice,,2026-01-01,2026-01-31,{amount},EUR,2026-01-01T00:00:00Z"


def load(con: duckdb.DuckDBPyConnection, landing: Path, batch: str = "b1"):
    ensure_raw_schema(con, SOURCES)
    return ingest_source(con, landing, INVOICES, batch, datetime(2026, 1, 2, 3, 4, 5))


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def test_rows_read_equal_loaded_plus_quarantined_per_file(landing: Path) -> None:
    rows = [ROW.format(id=i, amount="x" if i == 3 else "10.00") for i in range(1, 6)]
    write(landing / "erp/invoices_2026-01-01T0000.csv", "\n".join([INVOICE_HEADER, *rows]))
    con = duckdb.connect()
    report = load(con, landing)
    (file,) = report.files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (5, 4, 1)
    assert count(con, "raw.erp_invoices") == 4
    quarantined = con.execute(
        "select source_file, source_row, field, value from raw.quarantine"
    ).fetchall()
    assert quarantined == [("erp/invoices_2026-01-01T0000.csv", 4, "amount", "x")]
    metadata = con.execute(
        "select distinct _source_file, _batch_id, _loaded_at from raw.erp_invoices"
    ).fetchall()
    assert metadata == [("erp/invoices_2026-01-01T0000.csv", "b1", datetime(2026, 1, 2, 3, 4, 5))]


def test_reingesting_the_same_files_changes_nothing(landing: Path) -> None:
    write(
        landing / "erp/invoices_2026-01-01T0000.csv",
        f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='x')}\n{ROW.format(id=2, amount='5.00')}",
    )
    con = duckdb.connect()
    load(con, landing, "b1")
    before = (
        count(con, "raw.erp_invoices"),
        count(con, "raw.quarantine"),
        count(con, "raw._loads"),
    )
    second = load(con, landing, "b2")
    assert [f.status for f in second.files] == ["already loaded"]
    after = (count(con, "raw.erp_invoices"), count(con, "raw.quarantine"), count(con, "raw._loads"))
    assert after == before == (1, 1, 1)


def test_an_unchanged_file_is_not_read_again_and_a_changed_one_is_hashed(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size and modification time as its last load: its recorded SHA-256 stands for it
    (a daily build does not re-hash the history). A file rewritten in place is hashed, and
    loaded again when its content differs."""
    path = landing / "erp/invoices_2026-01-01T0000.csv"
    write(path, f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='5.00')}")
    con = duckdb.connect()
    load(con, landing, "b1")
    hashed: list[Path] = []
    real_sha256 = load_module._sha256
    monkeypatch.setattr(load_module, "_sha256", lambda p: hashed.append(p) or real_sha256(p))
    assert [f.status for f in load(con, landing, "b2").files] == ["already loaded"]
    assert hashed == [], "size and modification time unchanged: not read"
    write(path, f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='7.00')}")
    assert [f.status for f in load(con, landing, "b3").files] == ["loaded"]
    assert hashed == [path]
    recorded = con.execute(
        "select file_size, file_mtime_ns from raw._loads order by _batch_id desc limit 1"
    ).fetchone()
    assert recorded == (path.stat().st_size, path.stat().st_mtime_ns)


def test_a_snapshot_skipped_for_another_files_content_is_hashed_once(
    landing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nightly full snapshot sent again unchanged is skipped (same content as the previous
    extraction) and not read again by the next ingestion while its size and modification time
    stand (raw._hashes); rewritten in place with new content, it is hashed and loads."""
    snapshot = f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='5.00')}"
    write(landing / "erp/invoices_2026-01-01T0000.csv", snapshot)
    con = duckdb.connect()
    load(con, landing, "b1")
    again = landing / "erp/invoices_2026-01-02T0000.csv"
    write(again, snapshot)
    hashed: list[Path] = []
    real_sha256 = load_module._sha256
    monkeypatch.setattr(load_module, "_sha256", lambda p: hashed.append(p) or real_sha256(p))
    skipped = {f.source_file: f.status for f in load(con, landing, "b2").files}
    assert skipped[again.relative_to(landing).as_posix()] == "already loaded"
    assert hashed == [again]
    skipped = {f.source_file: f.status for f in load(con, landing, "b3").files}
    assert set(skipped.values()) == {"already loaded"}
    assert hashed == [again], "size and modification time unchanged: not read again"
    assert con.execute("select count(*) from raw._loads").fetchone()[0] == 1
    write(again, f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='7.00')}")
    loaded = {f.source_file: f.status for f in load(con, landing, "b4").files}
    assert loaded[again.relative_to(landing).as_posix()] == "loaded"
    assert hashed == [again, again]


def test_a_hash_cache_from_before_the_batch_id_gains_it(landing: Path) -> None:
    """A `raw._hashes` made before it had `_batch_id` gets the column, and skipped files'
    hashes are cached into it as into a new one."""
    snapshot = f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='5.00')}"
    write(landing / "erp/invoices_2026-01-01T0000.csv", snapshot)
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw._hashes (source_table varchar, source_file varchar, sha256 varchar,"
        " file_size bigint, file_mtime_ns bigint, _loaded_at timestamp)"
    )
    load(con, landing, "b1")
    write(landing / "erp/invoices_2026-01-02T0000.csv", snapshot)
    load(con, landing, "b2")
    cached = con.execute("select source_file, _batch_id from raw._hashes").fetchall()
    assert cached == [("erp/invoices_2026-01-02T0000.csv", "b2")]


def test_a_file_with_a_broken_header_is_rejected_while_the_others_load(landing: Path) -> None:
    write(
        landing / "erp/invoices_2026-01-01T0000.csv",
        f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='5.00')}",
    )
    bad_header = INVOICE_HEADER.replace("amount", "amount_eur")
    write(
        landing / "erp/invoices_2026-01-02T0000.csv",
        f"{bad_header}\n{ROW.format(id=2, amount='5.00')}\n{ROW.format(id=3, amount='6.00')}",
    )
    con = duckdb.connect()
    report = load(con, landing)
    statuses = {
        f.source_file: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined)
        for f in report.files
    }
    assert statuses == {
        "erp/invoices_2026-01-01T0000.csv": ("loaded", 1, 1, 0),
        "erp/invoices_2026-01-02T0000.csv": ("rejected", 2, 0, 2),
    }
    reasons = con.execute("select distinct field, reason from raw.quarantine").fetchall()
    assert reasons == [
        (
            "amount",
            "file rejected: header breaks the contract: missing column(s) amount; "
            "unexpected column(s) amount_eur",
        )
    ]


def test_a_missing_landing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    con = duckdb.connect()
    with pytest.raises(LandingError, match="landing folder .*nowhere does not exist"):
        load(con, tmp_path / "nowhere")


def test_a_file_rejected_before_any_row_leaves_one_record_and_no_rows(landing: Path) -> None:
    (landing / "erp/invoices_2026-01-01T0000.csv").write_bytes(b"\xff\xfe\x00garbage")
    con = duckdb.connect()
    report = load(con, landing)
    assert [(f.status, f.rows_read) for f in report.files] == [("rejected", 0)]
    assert con.execute("select source_row, reason from raw.quarantine").fetchall() == [
        (None, "file rejected: not UTF-8 text (byte 0xff at line 1, offset 0 of the file)")
    ]


def test_a_broken_link_named_like_a_source_file_is_recorded_not_skipped(landing: Path) -> None:
    (landing / "erp/invoices_2026-01-01T0000.csv").symlink_to(landing / "erp/gone.csv")
    con = duckdb.connect()
    report = load(con, landing)
    assert [(f.source_file, f.status) for f in report.files] == [
        ("erp/invoices_2026-01-01T0000.csv", "rejected")
    ]
    assert con.execute("select source_file, reason from raw.quarantine").fetchall() == [
        ("erp/invoices_2026-01-01T0000.csv", "file unreadable: No such file or directory")
    ]


def test_quarantine_messages_name_file_row_field_and_reason(landing: Path) -> None:
    write(
        landing / "erp/invoices_2026-01-01T0000.csv",
        f"{INVOICE_HEADER}\n{ROW.format(id=1, amount='12,50')}\n{ROW.format(id=2, amount='5.00')}",
    )
    bad_header = INVOICE_HEADER.replace("amount", "amount_eur")
    write(
        landing / "erp/invoices_2026-01-02T0000.csv",
        f"{bad_header}\n{ROW.format(id=3, amount='5.00')}\n{ROW.format(id=4, amount='6.00')}",
    )
    con = duckdb.connect()
    load(con, landing, "b1")
    lines, total = quarantine_messages(con, "b1")
    assert total == 2
    assert lines == [
        "erp/invoices_2026-01-01T0000.csv:2: row has 11 fields, the header has 10",
        "erp/invoices_2026-01-02T0000.csv: file rejected: header breaks the contract: missing "
        "column(s) amount; unexpected column(s) amount_eur (2 row(s))",
    ]
    write(
        landing / "erp/invoices_2026-01-03T0000.csv",
        f"{INVOICE_HEADER}\n{ROW.format(id=5, amount='abc')}",
    )
    load(con, landing, "b2")
    assert quarantine_messages(con, "b2") == (
        [
            "erp/invoices_2026-01-03T0000.csv:2 amount='abc': not a number: expected digits with a "
            "dot as decimal separator"
        ],
        1,
    )


def test_a_load_after_the_clock_was_set_back_is_still_the_latest(landing: Path) -> None:
    """Incremental staging takes the rows loaded after the latest it holds: a load time
    must never go back, whatever the clock says."""
    write(
        landing / "erp" / "invoices_2026-01-01T0000.csv",
        INVOICE_HEADER + ROW.format(id="I1", amount="10.00") + "\n",
    )
    with duckdb.connect() as con:
        ensure_raw_schema(con, SOURCES)
        first = datetime(2026, 1, 2, 3, 4, 5)
        assert load_time(con, first) == first  # an empty warehouse: the clock
        ingest_source(con, landing, INVOICES, "b1", first)
        set_back = datetime(2026, 1, 1, 0, 0, 0)
        assert load_time(con, set_back) == datetime(2026, 1, 2, 3, 4, 5, 1)
        later = datetime(2026, 1, 3)
        assert load_time(con, later) == later
