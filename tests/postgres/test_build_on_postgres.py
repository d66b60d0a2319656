"""`amicable build --warehouse postgresql://...` (issue 16, `orchestration.pg_build`): one line
for a server that does not answer or a refused password; the raw layer loaded by COPY through
the same ingestion code, the same rows as the DuckDB build's raw layer (quarantine and load log
included) and nothing more on a second build, nothing at all when a table's COPY fails; the
next night's daily build of the tiny sample equal to the DuckDB one's, row for row."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import psycopg2
import pytest
import yaml

from amicable.cli import main
from amicable.engine_compare import compare
from amicable.scores.spec import SCORES
from amicable.settings import DEFAULT_CONFIG, HOME_ENV, Settings
from amicable.warehouse_ref import PostgresWarehouse, WarehouseError
from data_quality.distribution import WATCHED
from data_quality.source_checks import DISTRIBUTION_CHECK
from data_quality.sql_checks import SQL_CHECKS, SQL_CHECKS_BY_NAME
from data_quality.suites import SUITES
from ingestion.contracts import SOURCES
from ingestion.load import ensure_raw_schema
from ingestion.pg_warehouse import check, ship_batch
from orchestration.build import run_build
from orchestration.dbt_results import model_rows
from orchestration.engines import duckdb_engine, postgres_engine
from orchestration.pg_build import PgBuildOutcome, ingest
from sample_data.quality_defects import plant_quality_defects
from tests.conftest import SampleBuild, copy_build
from tests.end_to_end.test_blocking_check import _plant_tie
from tests.orchestration.test_killed_build import NEXT_NIGHT
from tests.orchestration.test_killed_build import _write_next_night as write_next_night
from tests.postgres.conftest import NAME, PostgresServer, TinyOnPostgres, by_code_point

RAW_TABLES = [s.name for s in SOURCES] + ["quarantine", "_hashes", "_loads"]
_numbers = itertools.count()


@pytest.fixture
def database(postgres_server: PostgresServer) -> Iterator[dict[str, str | int]]:
    """An empty database of its own (psycopg2's settings), dropped at the end."""
    name = f"build_{next(_numbers)}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(**postgres_server.settings())
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"create database {name}")
    try:
        yield {**postgres_server.settings(), "dbname": name}
    finally:
        with admin.cursor() as cur:
            cur.execute(f"drop database {name} with (force)")
        admin.close()


def url(settings: dict[str, str | int], password: str = NAME) -> str:
    return f"postgresql://{NAME}:{password}@localhost:{settings['port']}/{settings['dbname']}"


def counts(settings: dict[str, str | int]) -> dict[str, int]:
    with contextlib.closing(psycopg2.connect(**settings)) as con, con.cursor() as cur:
        result = {}
        for table in RAW_TABLES:
            cur.execute(f"select count(*) from raw.{table}")
            result[table] = cur.fetchone()[0]
        return result


def duckdb_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in RAW_TABLES
        }


def test_a_refused_password_and_a_silent_server_are_one_line(
    database: dict[str, str | int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "landing").mkdir()
    wrong = url(database, password="not-the-password")
    assert main(["build", "--landing", str(tmp_path / "landing"), "--warehouse", wrong]) == 2
    error = capsys.readouterr().err.strip()
    masked = f"postgresql://{NAME}:***@localhost:{database['port']}/{database['dbname']}"
    assert error.startswith(f"amicable: error: warehouse {masked}: cannot connect: ")
    assert error.endswith(f'password authentication failed for user "{NAME}"')
    assert "\n" not in error and "not-the-password" not in error

    silent = f"postgresql://{NAME}@localhost:1/{database['dbname']}"
    assert main(["build", "--landing", str(tmp_path / "landing"), "--warehouse", silent]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"amicable: error: warehouse {silent}: cannot connect: ")
    assert "Connection refused" in error and "\n" not in error


def test_raw_layer_by_copy_equals_duckdbs_and_a_second_build_adds_nothing(
    sample_build: SampleBuild, database: dict[str, str | int]
) -> None:
    warehouse = PostgresWarehouse(url(database))
    settings = Settings(landing=sample_build.settings.landing, warehouse=Path("unused"))
    first = PgBuildOutcome()
    ingest(settings, warehouse, "batch-1", first)
    expected = duckdb_counts(sample_build.settings.warehouse)
    assert counts(database) == expected
    assert expected["quarantine"] > 0 and expected["erp_invoices"] > 0
    assert first.shipped == expected  # every row went by this batch's COPY
    assert first.quarantine_total == sample_build.outcome.quarantine_total
    with contextlib.closing(psycopg2.connect(**database)) as con:  # a row-level test's share
        assert model_rows(con, "raw/no_such_model") is None  # and the connection goes on:
        assert model_rows(con, "raw/erp_invoices") == expected["erp_invoices"]

    second = PgBuildOutcome()
    ingest(settings, warehouse, "batch-2", second)
    assert counts(database) == expected
    assert sum(s.rows_loaded for s in second.sources) == 0
    assert sum(second.shipped.values()) == 0


def test_a_failing_copy_leaves_nothing_of_the_batch(
    sample_build: SampleBuild, database: dict[str, str | int]
) -> None:
    warehouse = PostgresWarehouse(url(database))
    with contextlib.closing(psycopg2.connect(**database)) as con, con, con.cursor() as cur:
        cur.execute("create schema raw")
        cur.execute("create table raw.fx_rates (refuses_every_row text not null)")
    settings = Settings(landing=sample_build.settings.landing, warehouse=Path("unused"))
    # raw.fx_rates, copied after the other sources, lacks the load metadata columns
    refused = 'nothing shipped.: column "_source_file" of relation "fx_rates" does not exist'
    with pytest.raises(WarehouseError, match=refused):
        ingest(settings, warehouse, "batch-1", PgBuildOutcome())
    with contextlib.closing(psycopg2.connect(**database)) as con, con.cursor() as cur:
        cur.execute("select count(*) from raw.erp_invoices")
        assert cur.fetchone()[0] == 0
        cur.execute("select count(*) from raw._loads")
        assert cur.fetchone()[0] == 0


def build_on_postgres(
    landing: Path, warehouse_url: str, as_of: date, *extra: str, exit_status: int = 0
) -> list[str]:
    """`amicable build --warehouse URL` in a process of its own (as a user runs it), its local
    files (log, dbt's artifacts) in a data folder named relative to its working directory, as
    the default `data` is, beside `landing`; its printed outcome and progress lines."""
    command = [sys.executable, "-m", "amicable.cli", "build", "--landing", str(landing)]
    command += ["--warehouse", warehouse_url, "--as-of", as_of.isoformat(), *extra]
    env = {**os.environ, HOME_ENV: "data"}
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, env=env, cwd=landing.parent
    )
    assert done.returncode == exit_status, done.stdout[-3000:] + done.stderr[-3000:]
    return [done.stdout, done.stderr]


def scalar(settings: dict[str, str | int], query: str) -> object:
    with contextlib.closing(psycopg2.connect(**settings)) as con, con.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def test_the_next_night_built_on_postgresql_equals_duckdbs(
    sample_build: SampleBuild,
    tiny_on_postgres: TinyOnPostgres,
    postgres_server: PostgresServer,
    tmp_path: Path,
) -> None:
    """The next night's daily build by `amicable build --warehouse URL` (incremental on both
    engines) on a copy of the session's PostgreSQL build of the tiny sample equals a DuckDB
    daily build of the same files on a copy of the session's DuckDB build (the first build's
    equality: test_duckdb_equal.py)."""
    assert tiny_on_postgres.built.ok, tiny_on_postgres.built.report
    database = postgres_server.fresh_database("amicable_next_night", tiny_on_postgres.database)
    reference = copy_build(sample_build, tmp_path)
    landing = tmp_path / "landing"
    write_next_night(sample_build, landing)
    planted = plant_quality_defects(landing)  # for the SQL checks, one row each
    _plant_tie(landing)  # an invoice twice in one file: the raw suite's warning
    daily = run_build(Settings(landing=landing, warehouse=reference, as_of=NEXT_NIGHT))
    assert daily.ok
    printed, progress = build_on_postgres(landing, url(database), NEXT_NIGHT)
    assert "published build copied to continue it: " in progress
    assert "building the models (incremental)" in progress
    assert " 0 blocking" in printed and "not done on a PostgreSQL warehouse yet:" not in printed
    assert printed.rstrip().endswith("build succeeded and published")
    for name in SCORES:  # scored after publication (no model trained in this database)
        assert f"\nscore {name}: no model: run `amicable scores train`\n" in printed
    as_of = "select as_of_date from {}.dim_build"
    assert scalar(database, as_of.format("marts")) == NEXT_NIGHT
    assert scalar(database, as_of.format("marts__unpublished")) == sample_build.settings.as_of
    assert f"{NAME}:{NAME}@" not in printed + progress
    assert counts(database) == duckdb_counts(reference)
    assert "raw layer's volume and freshness: " in printed
    on_duckdb, on_postgres = raw_warnings(reference), raw_warnings(database)
    assert on_postgres == on_duckdb, "the raw layer's warnings, as a DuckDB build records them"
    assert len(on_duckdb[0]) == len(SOURCES) and len(on_duckdb[1]) == 2 * len(SOURCES)
    # the raw suites: the same records, each engine validating the night's new rows only and
    # reporting the rest from the failing rows it kept (the same rows on both)
    suites = sql_checks(database, _SUITES)
    assert suites == sql_checks(reference, _SUITES) and len(suites) == len(SUITES)
    (tie,) = [(status, json.loads(keys)) for name, _, status, _, keys, _ in suites
              if name == _TIE_SUITE]  # fmt: skip
    assert tie[0] == "warn" and tie[1][:2] == _TIE_KEYS, "the tie found by its key's versions"
    assert "raw suites, dbt tests, SQL checks and distribution shifts: " in printed
    kept = by_code_point(sql_checks(database, _KEPT))
    assert kept == by_code_point(sql_checks(reference, _KEPT))
    assert any("INV-TIE" in row[2] for row in kept)
    (read,) = re.findall(
        rf"raw suites: {len(SUITES)} tables validated \((\d+) rows read\)", progress
    )
    assert 0 < int(read) < sum(counts(database)[s.name] for s in SOURCES), "the new rows"
    # the SQL checks and distribution shifts: the same verdicts and keys, each planted defect
    # flagged by its check, and the same rows read (the night's, or every row: `sql_scope`)
    checked = sql_checks(database)
    assert checked == sql_checks(reference)
    read = by_code_point(sql_checks(database, _SQL_READ))
    assert read == by_code_point(sql_checks(reference, _SQL_READ))
    assert any("; read: daily build: only the rows of " in text for _, text in read), read
    # the staging models' data tests: the night's batches only, on both engines
    tested = by_code_point(sql_checks(database, _STAGING_TESTS))
    assert tested == by_code_point(sql_checks(reference, _STAGING_TESTS))
    assert sum("; read: daily build: only the rows of " in row[-1] for row in tested) > 10
    # the other incremental models' tests: the rows written since their tested marks, which
    # both engines kept beside the rows they describe (the marks' times are each engine's loads)
    marked = [_unmarked(row) for row in sql_checks(database, _MARKED_TESTS)]
    assert sorted(marked) == sorted(_unmarked(r) for r in sql_checks(reference, _MARKED_TESTS))
    assert sum(_WRITTEN in row[-1] for row in marked) > 5, marked
    kept = sorted(sql_checks(database, _MARKS))
    assert kept == sorted(sql_checks(reference, _MARKS)) and all(s for _, s, _ in kept)
    for schema in ("", "__unpublished"):  # each beside the rows it describes
        marks = _mark_times(database, schema)
        assert [model for model, _, _ in marks] == [model for model, _, _ in kept]
        assert all(mark == newest for _, mark, newest in marks), marks
    assert len(checked) == len(SQL_CHECKS) + len(WATCHED)
    verdicts = {(name, asset): (status, keys) for name, asset, status, _, keys in checked}
    for label in planted:
        status, keys = verdicts[(label["check"], label["asset"])]
        assert status != "pass" and str(label["key"]) in keys, label
    (report,) = [line[16:] for line in printed.splitlines() if line.startswith("quality report: ")]
    html = (landing.parent / report).read_text(encoding="utf-8")  # relative to the build's folder
    checked = scalar(database, _RUN_CHECKS)
    assert f"{checked} checks: 0 failed" in html and "<h2>Source freshness</h2>" in html
    assert html.count('<tr class="fresh">') + html.count('<tr class="stale">') == len(SOURCES)
    postgres = postgres_engine(PostgresWarehouse(url(database)), tmp_path / "unused")
    duckdb = duckdb_engine(reference)
    results = compare(duckdb, postgres)
    assert [r.table for r in results if not r.equal] == []
    with duckdb.open() as reader:
        assert [r.table for r in results] == sorted(reader.tables())


_FRESHNESS = f"""
select source_table, measured_on, cadence_hours, newest_record_at, age_hours, status
from quality.source_freshness where as_of_date = '{NEXT_NIGHT}' order by source_table
"""
_WARNINGS = f"""
select check_name, asset, status, failing_count from quality.check_results
where check_name in ('freshness', 'volume_vs_previous_load') and run_id in (
    select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}'
)
order by check_name, asset
"""


_SQL_CHECKS = f"""
select check_name, asset, status, failing_count, cast(failing_keys as varchar)
from quality.check_results
where check_name in ({", ".join(f"'{name}'" for name in [*SQL_CHECKS_BY_NAME, DISTRIBUTION_CHECK])})
and run_id in (select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}')
order by check_name, asset
"""


_SUITES = f"""
select check_name, asset, status, failing_count, cast(failing_keys as varchar), description
from quality.check_results where check_name like '%suite'
and run_id in (select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}')
order by check_name
"""
_KEPT = """
select table_name, expectation, failing_key, source_file, source_row
from quality.raw_row_failures where table_name like 'raw.%'
"""  # the dbt tests' and SQL checks' evaluations are kept there too (sql_scope)
_TIE_SUITE = "raw_erp_invoices_suite"
_TIE_KEYS = [
    "INV-TIE (erp/invoices_2026-11-20T0300.csv:2)",
    "INV-TIE (erp/invoices_2026-11-20T0300.csv:3)",
]


_SQL_READ = f"""
select check_name, description from quality.check_results
where check_name in ({", ".join(f"'{name}'" for name in SQL_CHECKS_BY_NAME)})
and run_id in (select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}')
"""


_STAGING_TESTS = f"""
select check_name, status, failing_count, description from quality.check_results
where asset like 'staging/%' and description like 'dbt test (%'
and run_id in (select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}')
"""


_MARKED_TESTS = f"""
select check_name, asset, status, failing_count, description from quality.check_results
where (asset like 'intermediate/%' or asset like 'marts/%') and description like 'dbt test (%'
and run_id in (select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}')
"""
_WRITTEN = "; read: daily build, only the rows written since these tests last passed"
_MARKS = "select model, settled, run_id is not null from build_state.tested_marks order by model"


def _unmarked(row: tuple) -> tuple:
    """A record with its tested mark's time left out (each engine's own load time)."""
    return (*row[:-1], re.sub(r"loaded_at [0-9T:. -]+\)", "loaded_at ...)", row[-1]))


def _mark_times(database: dict[str, str | int], suffix: str) -> list[tuple]:
    """(model, its mark, the newest loaded_at of the model) per mark of `build_state<suffix>`,
    the model read in the schemas of the same suffix (the published build, or the unpublished
    one), found where it is."""
    found = []
    with contextlib.closing(psycopg2.connect(**database)) as con, con.cursor() as cur:
        cur.execute(f"select model, tested_mark from build_state{suffix}.tested_marks")
        for model, mark in sorted(cur.fetchall()):
            cur.execute(
                "select table_schema from information_schema.tables where table_name = %s"
                " and table_schema = any(%s)",
                [model, [f"intermediate{suffix}", f"marts{suffix}"]],
            )
            (schema,) = cur.fetchone()
            cur.execute(f'select max(loaded_at) from "{schema}"."{model}"')
            found.append((model, mark, cur.fetchone()[0]))
    return found


def sql_checks(warehouse: Path | dict[str, str | int], query: str = _SQL_CHECKS) -> list[tuple]:
    """The next night's SQL checks and distribution shifts (or what `query` reads) as recorded
    (a DuckDB file, or psycopg2's settings of a PostgreSQL database)."""
    if isinstance(warehouse, Path):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(query).fetchall()
    with contextlib.closing(psycopg2.connect(**warehouse)) as con, con.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()


_RUN_CHECKS = f"""
select count(*) from quality.check_results where run_id in (
    select run_id from quality.source_freshness where as_of_date = '{NEXT_NIGHT}'
)
"""


def raw_warnings(warehouse: Path | dict[str, str | int]) -> tuple[list[tuple], list[tuple]]:
    """The next night's freshness figures and the raw layer's warnings as recorded (a DuckDB
    file, or psycopg2's settings of a PostgreSQL database)."""
    if isinstance(warehouse, Path):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(_FRESHNESS).fetchall(), con.execute(_WARNINGS).fetchall()
    with contextlib.closing(psycopg2.connect(**warehouse)) as con, con.cursor() as cur:
        cur.execute(_FRESHNESS)
        freshness = cur.fetchall()
        cur.execute(_WARNINGS)
        return freshness, cur.fetchall()


def test_a_batch_ingested_against_an_older_load_log_is_not_shipped(
    database: dict[str, str | int], tmp_path: Path
) -> None:
    """Another build shipped a load while this one ingested: its batch could hold the same
    files again, so nothing of it is shipped; against the current log it is, once."""
    warehouse = PostgresWarehouse(url(database))
    check(warehouse)
    with contextlib.closing(psycopg2.connect(**database)) as con, con, con.cursor() as cur:
        cur.execute(
            "insert into raw._loads (source_table, source_file, status, _batch_id)"
            " values ('fx_rates', 'fx/fx_rates_2026-11-20T0200.csv', 'loaded', 'other-build')"
        )
    with duckdb.connect(str(tmp_path / "scratch.duckdb")) as duck:
        ensure_raw_schema(duck, SOURCES)
        duck.execute(
            "insert into raw._loads (source_table, source_file, status, _batch_id)"
            " values ('fx_rates', 'fx/fx_rates_2026-11-21T0200.csv', 'loaded', 'this-build')"
        )
        with pytest.raises(WarehouseError, match="another build loaded files while this one"):
            ship_batch(warehouse, duck, "this-build", loads_seen=0)
        assert counts(database)["_loads"] == 1
        assert ship_batch(warehouse, duck, "this-build", loads_seen=1)["_loads"] == 1
        assert ship_batch(warehouse, duck, "this-build", loads_seen=1) == {}  # shipped once
    assert counts(database)["_loads"] == 2


def test_a_file_skipped_for_another_files_content_is_hashed_once_on_postgresql(
    database: dict[str, str | int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nightly snapshot sent again unchanged is skipped, and its hash kept in PostgreSQL's
    `raw._hashes`: the next build's scratch ingestion does not read it again."""
    from ingestion import load as load_module
    from tests.ingestion.conftest import INVOICE_HEADER, write

    landing = tmp_path / "landing"
    (landing / "erp").mkdir(parents=True)
    row = "INV-1,D1,N1,invoice,,2026-01-01,2026-01-31,5.00,EUR,2026-01-01T00:00:00Z"
    snapshot = f"{INVOICE_HEADER}\n{row}"
    write(landing / "erp/invoices_2026-01-01T0000.csv", snapshot)
    again = landing / "erp/invoices_2026-01-02T0000.csv"
    write(again, snapshot)
    warehouse = PostgresWarehouse(url(database))
    settings = Settings(landing=landing, warehouse=Path("unused"))
    ingest(settings, warehouse, "batch-1", PgBuildOutcome())
    assert counts(database)["_hashes"] == 1
    hashed: list[Path] = []
    real_sha256 = load_module._sha256
    monkeypatch.setattr(load_module, "_sha256", lambda p: hashed.append(p) or real_sha256(p))
    second = PgBuildOutcome()
    ingest(settings, warehouse, "batch-2", second)
    assert hashed == [], "size and modification time unchanged: neither file read again"
    assert sum(s.rows_loaded for s in second.sources) == 0
    assert counts(database)["_hashes"] == 1 and counts(database)["erp_invoices"] == 1


def test_a_blocking_check_keeps_the_published_build_on_postgresql(
    sample_build: SampleBuild,
    tiny_on_postgres: TinyOnPostgres,
    postgres_server: PostgresServer,
    tmp_path: Path,
) -> None:
    """dbt builds unpublished schemas and one transaction renames them over the published ones
    (orchestration/pg_publish.py): with `max_failing_row_share: 0`, an invoice in a currency
    without an FX rate blocks publication (recorded in `quality.check_results` with its key),
    and so does an agent who left before starting (the raw suite on PostgreSQL);
    readers keep the previous build, the rejected one stays in `*__unpublished`; the next
    build, with a share of 10 % (the agent is one of 13 rows: 7.7 %), continues it and
    publishes."""
    from tests.end_to_end.test_blocking_check import FX_RATE_TEST, _plant_chf_invoice

    assert tiny_on_postgres.built.ok, tiny_on_postgres.built.report
    unpublished = "select count(*) from pg_namespace where nspname like '%unpublished'"
    assert scalar(tiny_on_postgres.settings, unpublished) == 0, "a first build publishes all"
    database = postgres_server.fresh_database("amicable_blocked", tiny_on_postgres.database)
    landing = tmp_path / "landing"
    shutil.copytree(sample_build.settings.landing, landing)
    _plant_chf_invoice(landing)
    _plant_agent_who_left_first(landing)
    config = tmp_path / "config" / DEFAULT_CONFIG.name
    shutil.copytree(DEFAULT_CONFIG.parent, config.parent)
    strict = yaml.safe_load(config.read_text())
    strict["quality"]["max_failing_row_share"] = 0
    config.write_text(yaml.safe_dump(strict))
    as_of = sample_build.settings.as_of
    chf = "select count(*) from {}.stg_erp__invoices where invoice_id = 'INV-CHF'"

    printed, progress = build_on_postgres(
        landing, url(database), as_of, "--config", str(config), exit_status=1
    )

    assert "published build copied to continue it: " in progress
    blocks = "  BLOCKS {} on {} (keys: ".format(*FX_RATE_TEST)
    line = next((line for line in printed.splitlines() if line.startswith(blocks)), "")
    assert "document_id=INV-CHF" in line, "named as readers find it, with the failing key"
    raw = "  BLOCKS raw_cases_agents_suite on raw/cases_agents (keys: AG-LEFT (cases/agents_"
    assert any(line.startswith(raw) for line in printed.splitlines()), "the raw suite blocks"
    recorded = (
        "select status, asset, failing_keys from quality.check_results"
        f" where check_name = '{FX_RATE_TEST[0]}' order by evaluated_at desc limit 1"
    )
    with contextlib.closing(psycopg2.connect(**database)) as con, con.cursor() as cur:
        cur.execute(recorded)
        status, asset, keys = cur.fetchone()
        cur.execute("select count(distinct run_id) from quality.check_results")
        runs = cur.fetchone()[0]
    assert (status, asset) == ("fail", FX_RATE_TEST[1]) and "INV-CHF" in keys
    assert runs == 2, "the session's first build and this one, blocked, both recorded"
    assert "build NOT PUBLISHED (a check blocks publication): readers keep" in printed
    assert scalar(database, chf.format("staging")) == 0, "readers keep the previous build"
    assert scalar(database, chf.format("staging__unpublished")) == 1, "kept for investigation"

    strict["quality"]["max_failing_row_share"] = 0.1
    config.write_text(yaml.safe_dump(strict))
    printed, progress = build_on_postgres(landing, url(database), as_of, "--config", str(config))

    assert "published build copied" not in progress, "it continues the rejected build"
    assert "  WARN raw_cases_agents_suite on raw/cases_agents (keys: AG-LEFT" in printed
    assert f"raw suites: {len(SUITES)} tables validated (0 rows read)" in progress, "none new"
    assert "building the models (incremental)" in progress
    assert printed.rstrip().endswith("build succeeded and published")
    assert scalar(database, chf.format("staging")) == 1
    assert scalar(database, chf.format("staging__unpublished")) == 0, "the previous build"


def _plant_agent_who_left_first(landing: Path) -> None:
    """An agent who left before starting: the agents file's contract takes it (two dates), and
    the raw suite's blocking row-level expectation flags it."""
    agent = {
        "agent_id": "AG-LEFT",
        "name": "Left Early",
        "team": "team_europe",
        "supervisor_id": None,
        "active_from": "2026-11-01",
        "active_to": "2026-10-01",
    }
    (landing / "cases" / "agents_2026-11-20T2340.jsonl").write_text(json.dumps(agent) + "\n")


def test_a_second_build_on_the_same_database_stops_in_one_line(
    sample_build: SampleBuild, database: dict[str, str | int], capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole build holds the warehouse's build lock (`pg_publish.build_lock`): while
    another build holds it, `amicable build` of the tiny sample exits 2 with one line and
    loads nothing."""
    from orchestration.pg_publish import build_lock

    landing = str(sample_build.settings.landing)
    warehouse = PostgresWarehouse(url(database))
    with build_lock(warehouse):
        status = main(["build", "--landing", landing, "--warehouse", url(database)])
        with (
            pytest.raises(
                WarehouseError,
                match="another build, or `amicable alerts` or `amicable scores`, is running on it",
            ),
            build_lock(warehouse),
        ):
            pass
    error = capsys.readouterr().err.strip()
    assert status == 2 and "\n" not in error
    assert error.endswith("nothing was done, the published build is unchanged")
    assert counts(database) == dict.fromkeys(RAW_TABLES, 0)
    with build_lock(warehouse):  # released with its connection
        pass
