"""Which version of a record staging keeps: updated_at, then the extraction time in the file's
name, then the load, then the row. Every case reads the staging models themselves, as dbt
compiles them (`deduplicate_latest`, the one home of the rule), over rows loaded by ingestion."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from data_quality.expectations import raw_unique
from data_quality.runner import run_suite_on
from data_quality.sqlcheck import staging_model
from data_quality.suites import SUITES
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source
from tests.dbt_project.raw_fixture import build_staging, staging_models
from tests.ingestion.conftest import write
from tests.ingestion.malformed_cases import CALL_HEADER, INVOICE_HEADER, call, camt, invoice


def load(con: duckdb.DuckDBPyConnection, landing: Path, table: str, at: datetime) -> dict:
    ensure_raw_schema(con, SOURCES)
    report = ingest_source(con, landing, SOURCES_BY_NAME[table], at.isoformat(), at)
    return {f.source_file: f for f in report.files}


def kept(con: duckdb.DuckDBPyConnection, table: str, column: str) -> dict[str, str]:
    """key -> `column` of the version staging keeps: its staging table, built from raw."""
    build_staging(con)
    key = SOURCES_BY_NAME[table].key
    rows = con.execute(
        f"select {key}, cast({column} as varchar) from staging.{staging_model(table)} order by 1"
    ).fetchall()
    return dict(rows)


def ambiguous_keys(con: duckdb.DuckDBPyConnection, table: str, run_id: str = "r") -> list[str]:
    """The rows the raw suite's uniqueness warning names, validated as a build does (the rows
    loaded since the last validation, with the failures kept before: kept as `run_id`), and
    the same as validating the whole table."""
    suite = SUITES[f"raw.{table}"]()
    outcome = run_suite_on(con, f"raw.{table}", suite)
    outcome.store(con, run_id)
    whole = run_suite_on(con, f"raw.{table}", suite, full=True)
    name = f"expect_compound_columns_to_be_unique({', '.join(raw_unique(table).column_list)})"
    named = []
    for validation in (outcome, whole):
        [unique] = [r for r in validation.results if r.name == name]
        assert unique.blocking is False and unique.success == (unique.unexpected_count == 0)
        named.append(sorted(unique.failing_keys))
    assert named[0] == named[1]
    return named[0]


T1, T2, T3 = (datetime(2026, 1, d, 3) for d in (2, 3, 4))


def test_a_file_without_an_extraction_timestamp_is_rejected_and_never_wins(
    landing: Path,
) -> None:
    """Issue 20, item 3: `invoices_final.csv` used to beat every timestamped file."""
    write(landing / "erp/invoices_2026-01-01T0200.csv", f"{INVOICE_HEADER}\n{invoice(1)}\n")
    write(landing / "erp/invoices_final.csv", f"{INVOICE_HEADER}\n{invoice(1, '11.11')}\n")
    con = duckdb.connect()
    files = load(con, landing, "erp_invoices", T1)
    final = files["erp/invoices_final.csv"]
    assert (final.status, final.rows_read, final.rows_quarantined) == ("rejected", 1, 1)
    assert "no extraction timestamp" in (final.reason or "")
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "10.00"}


def test_the_extraction_time_orders_versions_whatever_the_names(landing: Path) -> None:
    """Calls and bank entries have no updated_at: the name alone used to decide."""
    late, early = "contacts/calls_2026-01-10T0200.csv", "contacts/calls_late_2026-01-01T0200.csv"
    write(landing / late, f"{CALL_HEADER}\n{call(1, '20')}\n")
    write(landing / early, f"{CALL_HEADER}\n{call(1, '10')}\n")
    write(landing / "bank/statement_EUR_2026-01-09T0200.xml", camt("2.00"))
    write(landing / "bank/statement_USD_2026-01-01T0200.xml", camt("1.00"))
    con = duckdb.connect()
    load(con, landing, "contacts_calls", T1)
    load(con, landing, "bank_entries", T1)
    assert kept(con, "contacts_calls", "duration_seconds") == {"K1": "20"}
    assert kept(con, "bank_entries", "entry_amount") == {"B1": "2.00"}
    assert kept(con, "contacts_calls", "_source_file") == {"K1": late}


def test_a_file_changed_in_place_wins_by_its_newer_load_and_changing_it_back_clears_it(
    landing: Path,
) -> None:
    """Issue 20, item 1: changing a calls file in place used to block every later build,
    even after restoring the file. Now the newer load wins and nothing blocks."""
    path = landing / "contacts/calls_2026-01-01T0200.csv"
    original = f"{CALL_HEADER}\n{call(1)}\n{call(2)}\n"
    write(path, original)
    con = duckdb.connect()
    load(con, landing, "contacts_calls", T1)
    write(path, original.replace("no_answer\n", "busy\n", 1))
    changed = load(con, landing, "contacts_calls", T2)["contacts/calls_2026-01-01T0200.csv"]
    assert changed.status == "loaded"
    assert kept(con, "contacts_calls", "outcome") == {"K1": "busy", "K2": "no_answer"}
    write(path, original)
    load(con, landing, "contacts_calls", T3)
    assert kept(con, "contacts_calls", "outcome") == {"K1": "no_answer", "K2": "no_answer"}
    assert ambiguous_keys(con, "contacts_calls") == []
    assert raw_unique("contacts_calls").meta["blocking"] is False


def test_a_key_twice_in_one_file_keeps_the_later_row_and_is_only_a_warning(
    landing: Path,
) -> None:
    """Issue 20, item 1: a key twice in one file is a warning naming both rows, until a
    corrected file (a later extraction) brings a later version: raw keeps the tied rows
    (append-only), and the warning no longer names them."""
    tied = "erp/invoices_2026-01-01T0200.csv"
    write(
        landing / tied,
        f"{INVOICE_HEADER}\n{invoice(1, '1.00')}\n{invoice(1, '2.00')}\n{invoice(2)}\n",
    )
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "2.00", "I2": "10.00"}
    assert ambiguous_keys(con, "erp_invoices", "b1") == [f"I1 ({tied}:2)", f"I1 ({tied}:3)"]
    assert raw_unique("erp_invoices").meta["blocking"] is False
    # a corrected file, a later extraction, decides: staging keeps it, the warning clears
    write(landing / "erp/invoices_2026-01-02T0200.csv", f"{INVOICE_HEADER}\n{invoice(1, '3.00')}\n")
    load(con, landing, "erp_invoices", T2)
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "3.00", "I2": "10.00"}
    assert ambiguous_keys(con, "erp_invoices", "b2") == []
    assert ambiguous_keys(con, "erp_invoices", "b3") == [], "and stays cleared"
    assert con.execute("select count(*) from raw.erp_invoices").fetchall() == [(4,)]


def test_a_tie_arriving_after_its_correction_is_no_warning(landing: Path) -> None:
    """The corrected file loaded first, the tied file (an earlier extraction) after it: the
    tie is superseded as it arrives."""
    write(landing / "erp/invoices_2026-01-02T0200.csv", f"{INVOICE_HEADER}\n{invoice(1, '3.00')}\n")
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    assert ambiguous_keys(con, "erp_invoices", "b1") == []
    write(
        landing / "erp/invoices_2026-01-01T0200.csv",
        f"{INVOICE_HEADER}\n{invoice(1, '1.00')}\n{invoice(1, '2.00')}\n",
    )
    load(con, landing, "erp_invoices", T2)
    assert ambiguous_keys(con, "erp_invoices", "b2") == []
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "3.00"}


def test_a_tie_is_cleared_by_a_later_updated_at_or_by_the_file_corrected_in_place(
    landing: Path,
) -> None:
    """Every rule of `deduplicate_latest` before the row clears a tie: a later `updated_at`
    (in a file of the same extraction time), then a newer load of the same file."""
    tied = f"{INVOICE_HEADER}\n{invoice(1, '1.00')}\n{invoice(1, '2.00')}\n"
    tied += f"{invoice(2, '1.00')}\n{invoice(2, '2.00')}\n"
    path = landing / "erp/invoices_2026-01-01T0200.csv"
    write(path, tied)
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    assert len(ambiguous_keys(con, "erp_invoices", "b1")) == 4
    later = invoice(1, "5.00", updated_at="2026-01-01T01:00:00Z")
    write(landing / "erp/invoices_other_2026-01-01T0200.csv", f"{INVOICE_HEADER}\n{later}\n")
    load(con, landing, "erp_invoices", T2)
    assert ambiguous_keys(con, "erp_invoices", "b2") == [
        f"I2 (erp/invoices_2026-01-01T0200.csv:{row})" for row in (4, 5)
    ]
    write(path, f"{INVOICE_HEADER}\n{invoice(2, '7.00')}\n")
    load(con, landing, "erp_invoices", T3)
    assert ambiguous_keys(con, "erp_invoices", "b3") == []
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "5.00", "I2": "7.00"}


def test_the_same_content_under_another_name_changes_nothing(landing: Path) -> None:
    """Issue 20, item 6: 're-ingesting changes nothing' held only under the same name. The
    same content under another name, extracted at the same time or earlier, is skipped."""
    content = f"{INVOICE_HEADER}\n{invoice(1)}\n{invoice(2)}\n"
    first = "erp/invoices_2026-01-05T0200.csv"
    write(landing / first, content)
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    copies = ["erp/invoices_2026-01-01T0200.csv", "erp/invoices_resent_2026-01-05T0200.csv"]
    for rel in copies:
        write(landing / rel, content)
    again = load(con, landing, "erp_invoices", T2)
    for rel in [first, *copies]:
        assert (again[rel].status, again[rel].rows_read) == ("already loaded", 0), rel
    assert again[copies[0]].reason == f"same content as {first}, already loaded"
    assert con.execute("select count(*) from raw.erp_invoices").fetchall() == [(2,)]


def test_a_record_changed_and_changed_back_ends_at_its_latest_extraction(landing: Path) -> None:
    """A, B, then A again under a later extraction time: the third file is the same content
    as the first, but it is a newer extraction and loads, so staging ends at A. Ingesting
    again loads nothing more."""
    for day, duration in [(1, "10"), (2, "20"), (3, "10")]:
        write(
            landing / f"contacts/calls_2026-01-0{day}T0200.csv",
            f"{CALL_HEADER}\n{call(1, duration)}\n",
        )
    con = duckdb.connect()
    files = load(con, landing, "contacts_calls", T1)
    assert [f.status for f in files.values()] == ["loaded"] * 3
    assert kept(con, "contacts_calls", "duration_seconds") == {"K1": "10"}
    assert kept(con, "contacts_calls", "_source_file") == {
        "K1": "contacts/calls_2026-01-03T0200.csv"
    }
    again = load(con, landing, "contacts_calls", T2)
    assert {(f.status, f.rows_read) for f in again.values()} == {("already loaded", 0)}
    assert con.execute("select count(*) from raw.contacts_calls").fetchall() == [(3,)]


def test_changed_back_in_a_later_build_also_loads(landing: Path) -> None:
    """The same, one file per build: B is loaded before A comes back."""
    con = duckdb.connect()
    for day, duration, at in [(1, "10", T1), (2, "20", T2), (3, "10", T3)]:
        rel = f"contacts/calls_2026-01-0{day}T0200.csv"
        write(landing / rel, f"{CALL_HEADER}\n{call(1, duration)}\n")
        assert load(con, landing, "contacts_calls", at)[rel].status == "loaded"
        assert kept(con, "contacts_calls", "duration_seconds") == {"K1": duration}


def test_a_snapshot_sent_again_unchanged_is_skipped_unless_another_came_between(
    landing: Path,
) -> None:
    """An ERP that sends its whole customer or invoice list every night sends the same content
    night after night: a file equal to the source's latest earlier extraction adds nothing
    (raw does not grow by a copy a night). Once another extraction came between, the same
    content loads (A, B, A ends at A)."""
    snapshot = f"{INVOICE_HEADER}\n{invoice(1)}\n{invoice(2)}\n"
    con = duckdb.connect()
    for day, at in [(1, T1), (2, T2), (3, T3)]:
        rel = f"erp/invoices_2026-01-0{day}T0200.csv"
        write(landing / rel, snapshot)
        report = load(con, landing, "erp_invoices", at)[rel]
        assert (report.status, report.rows_loaded) == (
            ("loaded", 2) if day == 1 else ("already loaded", 0)
        )
    assert con.execute("select count(*) from raw.erp_invoices").fetchall() == [(2,)]
    changed = f"{INVOICE_HEADER}\n{invoice(1)}\n"
    write(landing / "erp/invoices_2026-01-04T0200.csv", changed)
    write(landing / "erp/invoices_2026-01-05T0200.csv", snapshot)
    files = load(con, landing, "erp_invoices", datetime(2026, 1, 5, 3))
    assert files["erp/invoices_2026-01-05T0200.csv"].status == "loaded"
    assert con.execute("select count(*) from raw.erp_invoices").fetchall() == [(5,)]
    # I2's content never changed (01-04 left it out): staging cites the first file holding it
    assert kept(con, "erp_invoices", "_source_file")["I2"] == "erp/invoices_2026-01-01T0200.csv"


def test_a_file_corrected_in_place_back_to_the_previous_snapshot_loads(landing: Path) -> None:
    """A at 01-01, B at 01-02, then the 01-02 file corrected in place to A: the correction
    loads (its newer load wins), although its content equals the previous extraction's."""
    first, second = "erp/invoices_2026-01-01T0200.csv", "erp/invoices_2026-01-02T0200.csv"
    write(landing / first, f"{INVOICE_HEADER}\n{invoice(1)}\n")
    write(landing / second, f"{INVOICE_HEADER}\n{invoice(1, '99.00')}\n")
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "99.00"}
    write(landing / second, f"{INVOICE_HEADER}\n{invoice(1)}\n")
    assert load(con, landing, "erp_invoices", T2)[second].status == "loaded"
    assert kept(con, "erp_invoices", "document_amount") == {"I1": "10.00"}


def test_a_rejected_file_renamed_with_a_timestamp_loads(landing: Path) -> None:
    """The fix for a file without a timestamp is to name it: the same content then loads."""
    content = f"{INVOICE_HEADER}\n{invoice(1)}\n"
    write(landing / "erp/invoices_final.csv", content)
    con = duckdb.connect()
    load(con, landing, "erp_invoices", T1)
    (landing / "erp/invoices_final.csv").rename(landing / "erp/invoices_2026-01-03T0200.csv")
    renamed = load(con, landing, "erp_invoices", T2)["erp/invoices_2026-01-03T0200.csv"]
    assert (renamed.status, renamed.rows_loaded) == ("loaded", 1)


def test_a_warehouse_loaded_before_extracted_at_gets_it_from_its_file_names() -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.contacts_calls (contact_id varchar, case_id varchar, debtor_id varchar,"
        " agent_id varchar, direction varchar, started_at timestamp, duration_s bigint,"
        " outcome varchar, _source_file varchar, _source_row bigint, _loaded_at timestamp,"
        " _batch_id varchar)"
    )
    con.execute(
        "insert into raw.contacts_calls (contact_id, _source_file) values"
        " ('K1', 'contacts/calls_2026-01-01T0200.csv'), ('K2', 'contacts/calls_final.csv')"
    )
    ensure_raw_schema(con, SOURCES)
    rows = con.execute(
        "select contact_id, _extracted_at from raw.contacts_calls order by 1"
    ).fetchall()
    assert rows == [("K1", datetime(2026, 1, 1, 2, 0)), ("K2", None)]


def test_every_source_table_has_the_staging_model_the_checks_read() -> None:
    """`data_quality.sqlcheck.staging_model` names the model that keeps a table's rows."""
    assert set(staging_models()) == {staging_model(source.name) for source in SOURCES}


def test_a_record_re_sent_unchanged_keeps_the_citation_of_its_first_file(landing: Path) -> None:
    """Issue 14: a record sent again unchanged in a later file (beside other rows, so the file
    loads) is cited by the file and load that first brought its content, so a daily build's
    "loaded since" scopes do not restate it; a changed record cites the file that changed it."""
    first, second = "contacts/calls_2026-01-01T0200.csv", "contacts/calls_2026-01-02T0200.csv"
    write(landing / first, f"{CALL_HEADER}\n{call(1, '10')}\n{call(2, '20')}\n")
    con = duckdb.connect()
    load(con, landing, "contacts_calls", T1)
    write(landing / second, f"{CALL_HEADER}\n{call(3, '30')}\n{call(2, '20')}\n{call(1, '11')}\n")
    load(con, landing, "contacts_calls", T2)
    assert kept(con, "contacts_calls", "_source_file") == {"K1": second, "K2": first, "K3": second}
    assert kept(con, "contacts_calls", "_source_row") == {"K1": "4", "K2": "3", "K3": "2"}
    loaded = kept(con, "contacts_calls", "_loaded_at")
    assert loaded["K2"] < loaded["K1"] == loaded["K3"]
    assert kept(con, "contacts_calls", "duration_seconds") == {"K1": "11", "K2": "20", "K3": "30"}


def test_a_late_version_splitting_a_run_is_a_newer_load_of_the_kept_row(landing: Path) -> None:
    """K1 sent unchanged on 01-03 and 01-05 is cited by 01-03. A late 01-04 extraction with
    other content splits the run: staging then cites 01-05, and its `_loaded_at` is the late
    file's load (not 01-05's, older than a downstream model's watermark), so the daily models
    that take rows loaded since their last build rewrite the new citation."""
    for day, other in ((3, 2), (5, 3)):  # files that differ (a call each of their own)
        write(
            landing / f"contacts/calls_2026-01-0{day}T0200.csv",
            f"{CALL_HEADER}\n{call(1, '10')}\n{call(other, '30')}\n",
        )
    con = duckdb.connect()
    load(con, landing, "contacts_calls", T1)
    assert kept(con, "contacts_calls", "_source_file")["K1"] == (
        "contacts/calls_2026-01-03T0200.csv"
    )
    write(landing / "contacts/calls_2026-01-04T0200.csv", f"{CALL_HEADER}\n{call(1, '20')}\n")
    load(con, landing, "contacts_calls", T2)
    assert kept(con, "contacts_calls", "_source_file")["K1"] == (
        "contacts/calls_2026-01-05T0200.csv"
    )
    assert kept(con, "contacts_calls", "duration_seconds")["K1"] == "10"
    late_load = con.execute(
        "select cast(max(_loaded_at) as varchar) from raw.contacts_calls"
        " where _source_file = 'contacts/calls_2026-01-04T0200.csv'"
    ).fetchone()[0]
    loaded = kept(con, "contacts_calls", "_loaded_at")
    assert loaded["K1"] == late_load > loaded["K3"]
