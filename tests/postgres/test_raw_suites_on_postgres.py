"""The raw layer's Great Expectations suites on a PostgreSQL warehouse (issue 16,
`orchestration.pg_build.raw_suites`): the same statements as on DuckDB (`data_quality.runner`,
translated by `dashboards.postgres`), the same frames for GX, so the same verdicts, counts and
failing keys; a frame registered as a temporary table only on a writable connection."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import psycopg2
import pytest

from amicable.warehouse_ref import PostgresWarehouse
from dashboards.postgres import connect, writing
from data_quality import runner, validated
from data_quality.runner import run_suite, run_suite_on
from data_quality.suites_raw import cases_agents_suite
from ingestion.pg_warehouse import check, ship_batch
from tests.agents_loads import AGENTS, agent, ingest_agents, recorded, seen
from tests.postgres.conftest import PostgresServer, by_code_point

# Three extractions: agents who left before they started (blocking, row-level), keys twice in
# one file (a warning on the key's versions) and a later version of one of them (clears it).
LOADS: list[list[dict[str, object]]] = [
    [agent("A-1"), agent("a_b", active_to="2026-01-02"), agent("B", active_to="2026-01-02"),
     agent("D-1"), agent("D-1", team="T2"), agent("D-2"), agent("D-2", team="T2")],
    [agent("A-3"), agent("a-b", active_to="2026-01-03"), agent("D-2", team="T3")],
    [agent("A-5", active_to="2026-01-01"), agent("A-1", team="T2"), agent("D-3"),
     agent("D-3")],
]  # fmt: skip


def _load(landing: Path, duck: Path, warehouse: PostgresWarehouse, load: int) -> None:
    """Load `load` of LOADS as an agents file a day after the previous, ingested into the
    DuckDB file `duck` as build `b<load>` and shipped to PostgreSQL's raw layer as a
    PostgreSQL build ships it."""
    rows = LOADS[load - 1]
    ingest_agents(landing, duck, load, rows)
    with duckdb.connect(str(duck)) as con:
        assert ship_batch(warehouse, con, f"b{load}", load - 1)["cases_agents"] == len(rows)


@pytest.fixture
def agents(postgres_server: PostgresServer, tmp_path: Path) -> tuple[Path, PostgresWarehouse]:
    """The three loads in a DuckDB file and in a fresh PostgreSQL database."""
    postgres_server.fresh_database("amicable_raw_suites")
    warehouse = PostgresWarehouse(postgres_server.url("amicable_raw_suites"))
    duck = tmp_path / "w.duckdb"
    check(warehouse)
    for load in range(1, len(LOADS) + 1):
        _load(tmp_path / "landing", duck, warehouse, load)
    return duck, warehouse


@pytest.mark.parametrize("chunk_rows", [runner.CHUNK_ROWS, 4])
def test_a_raw_suite_on_postgresql_finds_what_it_finds_on_duckdb(
    agents: tuple[Path, PostgresWarehouse], chunk_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every expectation's verdict, count and first failing keys and the check's record are
    DuckDB's, whether the table is read at once or a few files at a time
    (`runner.CHUNK_ROWS`)."""
    duck, warehouse = agents
    monkeypatch.setattr(runner, "CHUNK_ROWS", chunk_rows)
    on_duckdb = run_suite(duck, AGENTS, cases_agents_suite(), full=True)
    with writing(warehouse) as con:
        on_postgres = run_suite_on(con, AGENTS, cases_agents_suite(), full=True)
    assert seen(on_postgres) == seen(on_duckdb)
    assert recorded(on_postgres) == recorded(on_duckdb)
    assert (on_postgres.row_count, on_postgres.rows_read) == (on_duckdb.row_count, 14)
    failed = {r.name: r for r in on_postgres.results if not r.success}
    left = failed["expect_column_pair_values_a_to_be_greater_than_b(active_to, active_from)"]
    assert [key.split(" ")[0] for key in left.failing_keys] == ["a_b", "B", "a-b", "A-5"]
    versions = "expect_compound_columns_to_be_unique(agent_id, _extracted_at, _loaded_at)"
    unique = [key.split(" ")[0] for key in failed[versions].failing_keys]
    assert unique == ["D-1", "D-1", "D-3", "D-3"], "D-2's later version cleared its doubt"


_STATE = """
select table_name, expectation, failing_key, raw_batch_id, loaded_at, source_file, source_row
from quality.raw_row_failures
"""


def test_load_by_load_on_postgresql_as_on_duckdb(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A validation after each load reads only that load's rows on both engines, keeps the
    same failing rows (`quality.raw_row_failures` in PostgreSQL's `quality` schema) and
    reports what validating the whole table finds; a validation with nothing new reads no
    row."""
    postgres_server.fresh_database("amicable_raw_suites")
    warehouse = PostgresWarehouse(postgres_server.url("amicable_raw_suites"))
    landing, duck = tmp_path / "landing", tmp_path / "w.duckdb"
    check(warehouse)
    for load, rows in enumerate(LOADS, start=1):
        _load(landing, duck, warehouse, load)
        on_duckdb = run_suite(duck, AGENTS, cases_agents_suite(), run_id=f"b{load}")
        with writing(warehouse) as con:
            on_postgres = run_suite_on(con, AGENTS, cases_agents_suite())
            on_postgres.store(con, f"b{load}")
        assert on_postgres.rows_read == on_duckdb.rows_read == len(rows)
        assert seen(on_postgres) == seen(on_duckdb)
        assert recorded(on_postgres) == recorded(on_duckdb)
    with writing(warehouse) as con:
        again = run_suite_on(con, AGENTS, cases_agents_suite())
        whole = run_suite_on(con, AGENTS, cases_agents_suite(), full=True)
        on_postgres_kept = by_code_point(con.execute(_STATE).fetchall())
    assert again.rows_read == 0 and again.validation is None
    assert seen(again) == seen(whole) == seen(on_postgres)
    with duckdb.connect(str(duck), read_only=True) as con:
        assert on_postgres_kept == by_code_point(con.execute(_STATE).fetchall())
    # a_b, B, a-b and A-5; D-1, D-2 and D-3 twice each (D-2's later version clears it in the
    # report, `runner._standing`, not in what is kept)
    assert len(on_postgres_kept) == 10


def test_a_frame_is_registered_only_on_a_writable_connection(
    agents: tuple[Path, PostgresWarehouse],
) -> None:
    """`register` makes a frame a temporary table typed as DuckDB types it (text, timestamps,
    integers, an empty string apart from NULL), gone at the end of the transaction; a
    read-only connection refuses it in one line."""
    _, warehouse = agents
    rows = pd.DataFrame({
        "key": ["x", "", None],
        "at": [datetime(2026, 3, 1, 8), None, datetime(2024, 2, 29)],
        "n": [1, 2, 3],
        "nothing": [None, None, None],
    })  # fmt: skip
    con = connect(warehouse, writable=True)
    try:
        con.register("frame_rows", rows)
        got = con.execute(
            "select key, at, n, nothing, key is null from frame_rows order by n"
        ).fetchall()
        con.unregister("frame_rows")
        con.register("frame_rows", rows.head(1))
        con.commit()
        gone = con.execute("select to_regclass('pg_temp.frame_rows') is null").fetchone()
    finally:
        con.close()
    assert got == [
        ("x", datetime(2026, 3, 1, 8), 1, None, False),
        ("", None, 2, None, False),
        (None, datetime(2024, 2, 29), 3, None, True),
    ]
    assert gone == (True,), "dropped at the end of the transaction"
    refused = pytest.raises(ValueError, match="cannot register frame_rows: the connection is")
    with contextlib.closing(connect(warehouse)) as con, refused:
        con.register("frame_rows", rows)


def test_failing_rows_sort_by_code_point_whatever_the_database_collation(
    postgres_server: PostgresServer,
) -> None:
    """In a database whose collation sorts text as a language does (ICU, en-US: case and
    punctuation weigh less than letters), the failing rows a suite samples still sort by code
    point (`validated.order_sql`), as DuckDB and Python's `validated.order_key` sort them."""
    with contextlib.closing(psycopg2.connect(**postgres_server.settings())) as admin:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("drop database if exists amicable_icu with (force)")
            cur.execute(
                "create database amicable_icu template template0 locale_provider icu"
                " icu_locale 'en-US' locale 'C.UTF-8'"
            )
    warehouse = PostgresWarehouse(postgres_server.url("amicable_icu"))
    files = ["cases/a_b.jsonl", "cases/B.jsonl", "cases/a-b.jsonl", "cases/Ab.jsonl"]
    failures = pd.DataFrame({
        "expectation": "e", "failing_key": files, "raw_batch_id": "b1",
        "loaded_at": datetime(2026, 2, 2), "source_file": files, "source_row": 1,
    })  # fmt: skip
    records = failures.to_dict("records")
    expected = [r["source_file"] for r in sorted(records, key=validated.order_key)]
    con = connect(warehouse, writable=True)
    try:
        con.register("failures", failures[validated.FAILURE_COLUMNS])
        read = f"select source_file from failures order by {validated.order_sql(con)}"
        got = [file for (file,) in con.execute(read).fetchall()]
        local = [file for (file,) in con.execute(read.split(" collate")[0]).fetchall()]
    finally:
        con.close()
    with duckdb.connect() as duck:
        on_duckdb = duck.execute(
            f"select source_file from failures order by {validated.order_sql(duck)}"
        ).fetchall()
    assert got == expected == [file for (file,) in on_duckdb]
    assert local != expected, "the database's own collation sorts them otherwise"
