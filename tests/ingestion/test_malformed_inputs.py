"""Every malformed input of the battery (`malformed_cases.py`), each in its own landing zone:
every file is accounted for by a load record with rows read = rows loaded + rows quarantined,
the counts expected, a reason saying why, and nothing crashes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema, ingest_source, quarantine_messages
from tests.ingestion.malformed_cases import BROKEN_LINK, CASES_BATTERY, FOLDER, Case

LOADED_AT = datetime(2026, 1, 2, 3, 4, 5)
README = Path(__file__).resolve().parents[2] / "README.md"


def plant(landing: Path, files: dict[str, object]) -> None:
    for rel, content in files.items():
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is FOLDER:
            path.mkdir()
        elif content is BROKEN_LINK:
            path.symlink_to(landing / "nowhere")
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content), encoding="utf-8", newline="")


def run(con: duckdb.DuckDBPyConnection, landing: Path, batch: str) -> dict[str, tuple]:
    ensure_raw_schema(con, SOURCES)
    files = [f for s in SOURCES for f in ingest_source(con, landing, s, batch, LOADED_AT).files]
    assert len({f.source_file for f in files}) == len(files), "a file recorded twice"
    return {f.source_file: f for f in files}


def rows_in_raw(con: duckdb.DuckDBPyConnection, rel: str) -> int:
    return sum(
        con.execute(f"select count(*) from raw.{s.name} where _source_file = ?", [rel]).fetchall()[
            0
        ][0]
        for s in SOURCES
    )


def test_the_battery_has_a_case_per_input_and_variant() -> None:
    assert len(CASES_BATTERY) >= 53
    assert len({c.name for c in CASES_BATTERY}) == len(CASES_BATTERY)


def test_the_readme_summary_table_is_the_battery() -> None:
    """README's "Nothing lost" table, recomputed from the battery's expected counts (the
    tests below hold every case to them; a crash fails its case, so crashes are 0)."""
    files = [counts for case in CASES_BATTERY for counts in case.expected.values()]
    loaded = sum(status == "loaded" for status, *_ in files)
    errors = sum(bool(case.message) for case in CASES_BATTERY)
    row = (
        f"| {len(CASES_BATTERY)} | {errors}, each with its reason | {len(CASES_BATTERY) - errors}"
        f" | {len(files)} ({loaded} loaded, {len(files) - loaded} rejected with a record)"
        f" | {sum(f[1] for f in files)} | {sum(f[2] for f in files)} | {sum(f[3] for f in files)}"
        " | 0 |"
    )
    text = README.read_text(encoding="utf-8")
    header = "| inputs tried | clean errors | loaded cleanly | files | rows read | loaded |"
    lines = text.splitlines()
    [at] = [n for n, line in enumerate(lines) if line.startswith(header)]
    assert lines[at + 2] == row
    assert f"What {len(CASES_BATTERY)} malformed inputs and variants do" in text


@pytest.mark.parametrize("case", CASES_BATTERY, ids=lambda c: c.name)
def test_every_file_is_accounted_for_row_by_row(case: Case, landing: Path) -> None:
    plant(landing, case.files | case.extra)
    con = duckdb.connect()
    reports = run(con, landing, "b1")

    counts = {
        rel: (f.status, f.rows_read, f.rows_loaded, f.rows_quarantined)
        for rel, f in reports.items()
    }
    assert counts == case.expected
    assert not set(case.ignored) & set(reports)
    for rel, f in reports.items():
        assert f.rows_read == f.rows_loaded + f.rows_quarantined, rel
        assert rows_in_raw(con, rel) == f.rows_loaded, rel
        quarantined = con.execute(
            "select count(source_row), count(*) from raw.quarantine where source_file = ?", [rel]
        ).fetchall()[0]
        assert quarantined[0] == f.rows_quarantined, rel
        assert quarantined[1] >= (f.status == "rejected"), f"{rel}: rejected without a record"
        logged = con.execute(
            "select status, rows_read, rows_loaded, rows_quarantined from raw._loads"
            " where source_file = ?",
            [rel],
        ).fetchall()
        assert logged == [counts[rel]], rel

    reasons = [r for (r,) in con.execute("select reason from raw.quarantine").fetchall()]
    reasons += [f.reason for f in reports.values() if f.reason]
    if case.message:
        assert any(case.message in r for r in reasons), reasons[:5]
    else:
        assert reasons == []
    lines, _ = quarantine_messages(con, "b1", limit=1000)
    for rel, f in reports.items():
        if f.status == "rejected" and f.rows_quarantined == 0:
            assert not any(rel in line and "row(s))" in line for line in lines), lines


@pytest.mark.parametrize("case", CASES_BATTERY, ids=lambda c: c.name)
def test_ingesting_the_same_landing_zone_again_changes_nothing(case: Case, landing: Path) -> None:
    plant(landing, case.files | case.extra)
    con = duckdb.connect()
    run(con, landing, "b1")
    before = [rows_in_raw(con, rel) for rel in case.expected]
    rows_before = con.execute("select count(source_row) from raw.quarantine").fetchall()
    again = run(con, landing, "b2")
    assert [rows_in_raw(con, rel) for rel in case.expected] == before
    assert con.execute("select count(source_row) from raw.quarantine").fetchall() == rows_before
    assert all(f.rows_read == 0 for f in again.values())
