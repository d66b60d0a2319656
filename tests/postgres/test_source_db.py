"""PostgreSQL as a source (issue 16): the tiny sample's case-tool and ERP tables written into a
PostgreSQL database by the sample loader (`sample_data.source_db`), extracted into a landing
zone by the connector (`ingestion.source_db`), loaded by the file loader into raw and staged by
dbt; then new rows and a late correction in the source, a second extraction and load: exactly
those rows arrive. Faults (wrong password, server down, missing table or column) are one line
and write nothing.

The source database is `amicable_source` (and `amicable_source_cli`) in the session's server,
beside the `amicable` database of test_duckdb_equal.py."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import psycopg2
import pytest

from amicable.cli import main
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source
from ingestion.source_db import (
    DEFAULT_TABLES,
    SourceDatabaseError,
    SourceTableSpec,
    TableExtract,
    extract,
)
from sample_data import generate
from sample_data.source_db import SampleTable, load_sample
from tests.dbt_project.raw_fixture import dbt_vars, run_dbt
from tests.postgres.conftest import NAME, PostgresServer, free_port

AS_OF = date(2026, 11, 20)
EXTRACTED = [datetime(2026, 11, 21, 2, 0, tzinfo=UTC), datetime(2026, 11, 22, 2, 0, tzinfo=UTC)]
STAGING = [
    "stg_erp__customers",
    "stg_erp__invoices",
    "stg_erp__payment_allocations",
    "stg_cases__cases",
    "stg_cases__case_events",
    "stg_cases__agents",
]


@dataclass(frozen=True)
class Source:
    server: PostgresServer
    database: str
    sample: Path  # the generated sample landing zone the database was loaded from
    loaded: list[SampleTable]

    def url(self, password: str = NAME) -> str:
        return (
            f"postgresql://{NAME}:{password}@{self.server.host}:{self.server.port}/{self.database}"
        )

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        settings = self.server.settings() | {"dbname": self.database}
        with contextlib.closing(psycopg2.connect(**settings)) as con:
            yield con
            con.commit()


@pytest.fixture(scope="module")
def source(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Source:
    postgres_server.fresh_database("amicable_source")
    sample = tmp_path_factory.mktemp("sample")
    generate(sample, size="tiny", seed=7, as_of=AS_OF)
    partial = Source(postgres_server, "amicable_source", sample, [])
    return Source(postgres_server, "amicable_source", sample, load_sample(sample, partial.url()))


def labelled(sample: Path, expect: str) -> set[tuple[str, str, int]]:
    """(table, file, row) of the sample's planted defects of one kind of outcome, in the six
    tables the database holds."""
    labels = (sample / "_labels" / "defects.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in labels]
    return {
        (r["table"], r["file"], r["row"])
        for r in rows
        if r["expect"] == expect and r["table"] in DEFAULT_TABLES
    }


def ingest(landing: Path, warehouse: Path, batch: str) -> None:
    """The file loader, unchanged, on the six tables (as their raw assets run it)."""
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con, SOURCES)
        for name in DEFAULT_TABLES:
            ingest_source(con, landing, SOURCES_BY_NAME[name], batch, datetime(2026, 11, 22))


def rows_of(con: duckdb.DuckDBPyConnection, table: str, key: str, where: str = "") -> set:
    return {r[0] for r in con.execute(f"select {key} from {table} {where}").fetchall()}


def test_sample_loader_keeps_what_typed_columns_hold(source: Source) -> None:
    """Values a typed column cannot hold (an amount `N/A`, a date `08/08/2025`, a line that is
    not JSON, an event without its key) are left out, each named; the other planted defects
    (an unknown currency, a bad enum, a payload without its keys...) are kept for the
    connector's files to quarantine."""
    untyped = {"non_numeric_amount", "bad_date_format", "not_json"}
    expected = {
        (r["table"], r["file"], r["row"])
        for r in labels(source.sample)
        if r["kind"] in untyped or r["kind"] == "missing_required" and r["field"] == "event_id"
    }
    assert len(expected) == 5
    left_out = {(t.source_table, f, row) for t in source.loaded for f, row, _ in t.left_out}
    assert left_out == expected
    with source.connection() as con, con.cursor() as cur:
        cur.execute("select amount, updated_at from erp.invoices where invoice_id = 'IN000001001'")
        amount, updated_at = cur.fetchone()
    assert (str(amount), updated_at) == ("58.40", datetime(2025, 8, 8, 16, 36, 37, tzinfo=UTC))


def labels(sample: Path) -> list[dict]:
    """The sample's planted defects in the six tables the database holds."""
    lines = (sample / "_labels" / "defects.jsonl").read_text().splitlines()
    return [{"key": None} | r for r in map(json.loads, lines) if r["table"] in DEFAULT_TABLES]


def files_of(reports: list[TableExtract]) -> dict[str, str]:
    return {r.source_table: r.file for r in reports if r.file}


def test_incremental_extraction_brings_exactly_new_and_corrected_rows(
    source: Source, tmp_path: Path
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    landing.mkdir()
    first = extract(source.url(), landing, now=EXTRACTED[0])
    assert files_of(first) == {
        "erp_customers": "erp/customers_db_2026-11-21T0200.csv",
        "erp_invoices": "erp/invoices_db_2026-11-21T0200.csv",
        "erp_payment_allocations": "erp/payment_allocations_db_2026-11-21T0200.csv",
        "cases_cases": "cases/cases_db_2026-11-21T0200.jsonl",
        "cases_case_events": "cases/case_events_db_2026-11-21T0200.jsonl",
        "cases_agents": "cases/agents_db_2026-11-21T0200.jsonl",
    }
    stored = {t.source_table: t.rows_stored for t in source.loaded}
    assert {r.source_table: r.rows_written for r in first} == stored
    ingest(landing, warehouse, "first")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = con.execute(
            "select source_table, field, value from raw.quarantine where _batch_id = 'first'"
        ).fetchall()
        raw_counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in stored}
    # The planted defects a typed database still holds, quarantined from the connector's files:
    # the customer of segment SME, the invoices in EUX, without a debtor, of type `invoce`,
    # the promise without its promised date.
    kept_defects = [r for r in labels(source.sample) if r["expect"] == "quarantine"]
    kept_defects = [
        r
        for r in kept_defects
        if (r["table"], r["file"], r["row"])
        not in {(t.source_table, f, row) for t in source.loaded for f, row, _ in t.left_out}
    ]
    assert sorted((t, f) for t, f, _ in quarantined) == sorted(
        (r["table"], r["field"]) for r in kept_defects
    )
    assert ("erp_customers", "segment", "SME") in quarantined
    assert ("erp_invoices", "currency", "EUX") in quarantined
    assert raw_counts == {t: n - sum(q[0] == t for q in quarantined) for t, n in stored.items()}

    # Nothing changed: no file, nothing loaded.
    assert files_of(extract(source.url(), landing, now=EXTRACTED[0])) == {}

    with source.connection() as con, con.cursor() as cur:
        # A new invoice, and its payment allocated; a late correction of an old invoice.
        cur.execute(
            "insert into erp.invoices values ('IN900000001', 'D000001', 'INV-2026-900000001',"
            " 'invoice', null, '2026-11-21', '2026-12-21', 120.00, 'EUR', '2026-11-21T09:00:00Z')"
        )
        cur.execute(
            "insert into erp.payment_allocations values ('AL900000001', 'EUR20261121900000001',"
            " 'IN900000001', 120.00, '2026-11-21T11:00:00Z')"
        )
        cur.execute(
            "update erp.invoices set amount = 50.00, updated_at = '2026-11-21T10:00:00Z'"
            " where invoice_id = 'IN000001001'"
        )
        # Committed after the first extraction with the time of its last row (the cursor),
        # and 5 minutes before it (within the 10-minute lookback).
        cur.execute(
            "insert into erp.invoices values ('IN900000002', 'D000001', 'INV-2026-900000002',"
            " 'invoice', null, '2026-11-19', '2026-12-19', 30.00, 'EUR', '2026-11-19T19:25:22Z'),"
            " ('IN900000003', 'D000001', 'INV-2026-900000003', 'invoice', null, '2026-11-19',"
            " '2026-12-19', 40.00, 'EUR', '2026-11-19T19:20:22Z')"
        )
        cur.execute(
            "insert into cases.case_events values ('EV900000001', 'CS00000101',"
            " '2026-11-21T12:00:00Z', 'stage_changed', 'AG004', '{\"stage\": \"negotiation\"}')"
        )
        cur.execute("update cases.agents set team = 'team_americas' where agent_id = 'AG002'")

    second = extract(source.url(), landing, now=EXTRACTED[1])
    assert files_of(second) == {
        "erp_invoices": "erp/invoices_db_2026-11-22T0200.csv",
        "erp_payment_allocations": "erp/payment_allocations_db_2026-11-22T0200.csv",
        "cases_case_events": "cases/case_events_db_2026-11-22T0200.jsonl",
        "cases_agents": "cases/agents_db_2026-11-22T0200.jsonl",
    }
    ingest(landing, warehouse, "second")
    ingest(landing, warehouse, "again")  # re-ingesting loads nothing
    with duckdb.connect(str(warehouse), read_only=True) as con:
        second_rows = {
            t: rows_of(con, f"raw.{t}", SOURCES_BY_NAME[t].key, "where _batch_id = 'second'")
            for t in stored
        }
        (corrected,) = con.execute(
            "select amount from raw.erp_invoices where invoice_id = 'IN000001001'"
            " and _batch_id = 'second'"
        ).fetchone()
        loads = con.execute(
            "select _batch_id, count(*) from raw._loads where status = 'loaded'"
            " group by all order by 1"
        ).fetchall()
    assert second_rows == {
        "erp_customers": set(),
        "erp_invoices": {"IN000001001", "IN900000001", "IN900000002", "IN900000003"},
        "erp_payment_allocations": {"AL900000001"},
        "cases_cases": set(),
        "cases_case_events": {"EV900000001"},
        "cases_agents": {"AG002"},
    }
    assert str(corrected) == "50.00"
    assert loads == [("first", 6), ("second", 4)]

    # Staging (dbt, the six models): the corrected and the new rows, one per key.
    run = run_dbt(
        ["run", "--select", " ".join(STAGING), "--vars", dbt_vars(as_of="2026-11-22")],
        warehouse,
        tmp_path / "dbt",
    )
    assert run.returncode == 0, run.output[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        invoice = con.execute(
            "select document_amount, updated_at, _source_file from staging.stg_erp__invoices"
            " where invoice_id = 'IN000001001'"
        ).fetchone()
        staged = rows_of(con, "staging.stg_erp__invoices", "invoice_id")
        raw_keys = rows_of(con, "raw.erp_invoices", "invoice_id")
        team = con.execute(
            "select team from staging.stg_cases__agents where agent_id = 'AG002'"
        ).fetchone()
    assert (str(invoice[0]), invoice[1], invoice[2]) == (
        "50.00",
        datetime(2026, 11, 21, 10, 0),
        "erp/invoices_db_2026-11-22T0200.csv",
    )
    assert {"IN900000001", "IN900000002", "IN900000003"} <= staged
    assert staged == raw_keys
    assert team == ("team_americas",)


def test_faults_are_one_line_and_write_nothing(
    source: Source, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    port = source.server.port
    with source.connection() as con, con.cursor() as cur:
        cur.execute("create schema if not exists renamed")
        cur.execute(
            "create or replace view renamed.invoices as select invoice_id, debtor_id,"
            " invoice_number, document_type, reference_invoice_id, issue_date, due_date,"
            " amount as amount_eur, currency, updated_at from erp.invoices"
        )
        # Fails while it is read, after the five tables before it were read.
        cur.execute(
            "create or replace view renamed.agents as select agent_id, name, team,"
            " supervisor_id, active_from, active_to + 1 / (length(agent_id) - 5) as active_to"
            " from cases.agents"
        )
    where = f"source database postgresql://{NAME}:***@localhost:{port}/amicable_source"
    faults = {
        "wrong password": (source.url("not-the-password"), DEFAULT_TABLES),
        "missing column": (
            source.url(),
            DEFAULT_TABLES | {"erp_invoices": SourceTableSpec("renamed.invoices", "updated_at")},
        ),
        "missing table": (
            source.url(),
            DEFAULT_TABLES | {"cases_agents": SourceTableSpec("cases.agent", None)},
        ),
        "server down": (f"postgresql://{NAME}@localhost:{free_port()}/amicable_source", None),
        "read fails": (
            source.url(),
            DEFAULT_TABLES | {"cases_agents": SourceTableSpec("renamed.agents", None)},
        ),
    }
    messages = {}
    for fault, (url, tables) in faults.items():
        with pytest.raises(SourceDatabaseError) as raised:
            extract(url, landing, tables)
        messages[fault] = str(raised.value)
    assert messages["wrong password"] == (
        f'{where}: cannot connect: connection to server at "localhost" (127.0.0.1), port'
        f' {port} failed: password authentication failed for user "{NAME}"'
    )
    assert messages["missing column"] == (
        f"{where}: table renamed.invoices (source erp_invoices): no column amount"
    )
    assert messages["missing table"] == (
        f"{where}: table cases.agent (source cases_agents) does not exist (or this user cannot"
        " see it)"
    )
    assert "Connection refused" in messages["server down"]
    assert messages["read fails"] == (
        f"{where}: table renamed.agents (source cases_agents): division by zero"
    )
    assert all("\n" not in m and "not-the-password" not in m for m in messages.values())
    assert [p for p in landing.rglob("*") if not p.is_dir()] == []

    # The build stops before loading anything, with that line.
    warehouse = tmp_path / "warehouse.duckdb"
    args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    capsys.readouterr()
    assert main([*args, "--source-db", source.url("not-the-password")]) == 2
    assert capsys.readouterr().err == f"amicable: error: {messages['wrong password']}\n"
    assert not warehouse.exists() and [p for p in landing.rglob("*") if not p.is_dir()] == []


def test_sample_db_command_loads_and_moves_the_files(
    postgres_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`amicable sample-db` writes the tables and moves their files out of the landing zone
    (to `_in_source_db/`), so a build reads them from the database only; run again, it says
    there is nothing to load."""
    postgres_server.fresh_database("amicable_source_cli")
    landing = tmp_path / "landing"
    generate(landing, size="tiny", seed=7, as_of=AS_OF)
    before = sorted(p.relative_to(landing).as_posix() for p in landing.glob("[ec]*/*"))
    url = Source(postgres_server, "amicable_source_cli", landing, []).url()
    capsys.readouterr()
    assert main(["sample-db", "--landing", str(landing), "--source-db", url]) == 0
    printed = capsys.readouterr().out
    # 392 + 20 rows in the two invoice files; 2 left out (an amount N/A, a date 08/08/2025);
    # 13 keys sent again (re-sends and late corrections), one row each in the database.
    again = [r for r in labels(landing) if r["table"] == "erp_invoices" and r["key"]]
    assert len(again) == 13
    assert f"erp.invoices: {412 - 2 - 13} rows (412 read, 2 left out)" in printed
    assert f"{NAME}:***@" in printed and f"{NAME}:{NAME}@" not in printed
    moved = sorted(
        p.relative_to(landing / "_in_source_db").as_posix()
        for p in (landing / "_in_source_db").glob("*/*")
    )
    tables = {SOURCES_BY_NAME[t].folder for t in DEFAULT_TABLES}
    assert moved == [f for f in before if f.split("/")[0] in tables] and len(moved) == 11
    assert not [p for p in landing.glob("[ec]*/*") if p.parts[-2] in tables]
    assert main(["sample-db", "--landing", str(landing), "--source-db", url]) == 2
    assert "nothing to load" in capsys.readouterr().err


def test_an_id_cursor_outside_the_contract_orders_the_extraction(
    source: Source, tmp_path: Path
) -> None:
    """A case tool whose events carry an insertion sequence names it as cursor (config
    `source_database.tables`): an event logged late with an old `occurred_at` is still
    extracted, and the sequence, not a contract column, stays out of the file."""
    with source.connection() as con, con.cursor() as cur:
        cur.execute("create schema if not exists sequenced")
        cur.execute("drop table if exists sequenced.case_events")
        cur.execute("create table sequenced.case_events as select * from cases.case_events")
        cur.execute("alter table sequenced.case_events add column event_seq bigserial")
        cur.execute("select count(*) from sequenced.case_events")
        (events,) = cur.fetchone()  # 204, and one more once the test above added its event
    tables = {"cases_case_events": SourceTableSpec("sequenced.case_events", "event_seq")}
    first = extract(source.url(), tmp_path, tables, now=EXTRACTED[0])
    assert [(r.rows_read, r.rows_written) for r in first] == [(events, events)]
    with source.connection() as con, con.cursor() as cur:
        cur.execute(
            "insert into sequenced.case_events (event_id, case_id, occurred_at, event_type,"
            " actor_id, payload) values ('EV900000002', 'CS00000101', '2025-10-08T09:00:00Z',"
            " 'cease_requested', 'AG004', '{}')"
        )
    second = extract(source.url(), tmp_path, tables, now=EXTRACTED[1])
    # The row at the last sequence value is read again (>=) and dropped as already extracted.
    assert [(r.rows_read, r.rows_written, r.file) for r in second] == [
        (2, 1, "cases/case_events_db_2026-11-22T0200.jsonl")
    ]
    written = (tmp_path / "cases/case_events_db_2026-11-22T0200.jsonl").read_text()
    assert [json.loads(line) for line in written.splitlines()] == [
        {
            "event_id": "EV900000002",
            "case_id": "CS00000101",
            "occurred_at": "2025-10-08T09:00:00Z",
            "event_type": "cease_requested",
            "actor_id": "AG004",
            "payload": {},
        }
    ]
    assert files_of(extract(source.url(), tmp_path, tables, now=EXTRACTED[1])) == {}
