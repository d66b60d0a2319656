"""`amicable build --warehouse postgresql://...`: the build on a PostgreSQL warehouse (issue 16,
first slice).

What runs, in this process, in order (not yet as the Dagster job of a DuckDB build), under the
warehouse's build lock (`pg_publish.build_lock`: a second build stops in one line):

1. with `--source-db`, the source database's extraction into the landing zone, as on DuckDB
   (`ingestion.source_db.extract`);
2. ingestion: every source's files through `ingestion.load` (contracts, quarantine, content-hash
   idempotency) into a scratch DuckDB file holding PostgreSQL's `raw._loads`, then the batch
   shipped to PostgreSQL's raw layer by bulk COPY in one transaction
   (`ingestion.pg_warehouse`); a second build of the same files loads nothing new; then the
   Great Expectations suite of every raw table on PostgreSQL, on the rows it has not
   validated yet (`raw_suites`);
3. dbt on the profile's `postgres` output, its connection taken from the URL (the password from
   the URL or `PGPASSWORD`, passed to dbt in the environment, never printed): `dbt run`
   (`--full-refresh` for the same reasons as on DuckDB, `orchestration.incremental`, read from
   the `dim_build` of the build it continues, `pg_publish.last_build`), then `dbt test` of the
   data tests, each judged by its level as on DuckDB (`orchestration.dbt_results.check_records`,
   row shares counted on PostgreSQL), all in unpublished schemas (`orchestration.pg_publish`),
   then the SQL checks and distribution-shift warnings on them (`model_checks`);
4. publication: when no check blocks, one transaction renames the unpublished schemas over the
   published ones (readers see the whole build or the last one, never a build in progress).
   The raw layer is one schema both builds read, so there is nothing to carry over between
   them (a DuckDB slot needs `orchestration.catch_up`);
5. the case scores of the published build, with each current model (`score`; the registry
   and the scores in the `scores` schema, which every build shares as the raw layer), and its
   alerts (`send_alerts`; only the blocking data-quality checks when it is not published),
   recorded in `alerts.sent`, shared too.

On a daily build the data tests read what they read on DuckDB: those of the incremental
staging models the raw batches new since they last all passed (`tests_scope`), those of the
incremental models past staging the rows written since their tested marks
(`data_quality.tested_marks`: `marks_for_build`, `store_marks`; the marks kept in
`build_state__unpublished`, swapped with the models' schemas on publication).

The build's local files (its log and dbt's artifacts on failure) go under
`<data dir>/logs/<DB@HOST-PORT>/`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from amicable import progress
from amicable.alerts import AlertsOutcome
from amicable.config import Quality, load_config
from amicable.settings import DBT_PROJECT_DIR, Settings, memory_limit, run_files_dir
from amicable.warehouse_ref import PostgresWarehouse, WarehouseError
from data_quality import freshness, results, source_checks, sql_scope, tested_marks
from data_quality.results import CheckRecord
from data_quality.sql_checks import SQL_CHECKS
from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from ingestion.load import ensure_raw_schema, ingest_source, load_time, quarantine_messages
from ingestion.pg_warehouse import (
    connect,
    ensure_raw_tables,
    read_loads,
    ship_batch,
)
from ingestion.source_db import _libpq_line
from orchestration import pg_publish
from orchestration.build import CheckLine, SourceLine
from orchestration.dbt_assets import (
    DbtBuildConfig,
    _project_files,
    build_environment,
    dbt_executable,
    dbt_vars,
    tested_rows,
)
from orchestration.dbt_results import (
    RowCounts,
    check_records,
    failure_summary,
    model_rows,
    restricted_failures,
    with_failing_keys,
)
from orchestration.incremental import build_fingerprint, refresh_reason

DBT_TARGET = "postgres"

NOT_YET: tuple[str, ...] = ()  # what a DuckDB build does that this one does not yet


@dataclass
class PgBuildOutcome:
    sources: list[SourceLine] = field(default_factory=list)
    shipped: dict[str, int] = field(default_factory=dict)  # rows copied per raw table
    quarantined: list[str] = field(default_factory=list)
    quarantine_total: int = 0
    refresh: str = ""  # why every model was recomputed, "" for an incremental build
    published: bool = False
    models_ok: bool = False
    checks: list[CheckLine] = field(default_factory=list)
    records: list[CheckRecord] = field(default_factory=list)  # every check, as recorded
    suite_records: list[CheckRecord] = field(default_factory=list)  # the raw suites (`raw_suites`)
    # the raw layer's volume and freshness warnings (`raw_checks`), and freshness's figures
    source_records: list[CheckRecord] = field(default_factory=list)
    freshness: list[freshness.Freshness] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log: Path | None = None
    report: Path | None = None  # the quality report (`data_quality.report`), once written
    notes: list[str] = field(default_factory=list)  # a step that failed without failing the build
    scores: list[str] = field(default_factory=list)  # a line per case score (`score`)
    alerts: AlertsOutcome | None = None  # what the alerts after the build sent (`send_alerts`)
    # the data tests reading only new rows on a daily build that did not pass, once they ran
    tests_not_passed: list[str] | None = None
    # (schema, model) -> whether the tests reading from its tested mark all passed, once run
    mark_verdicts: dict[tuple[str, str], bool] | None = None

    @property
    def ok(self) -> bool:
        return self.models_ok and not self.errors and all(c.status != "fail" for c in self.checks)


def files_dir(settings: Settings) -> Path:
    """Where the build's log and dbt's artifacts go (`settings.warehouse`: `<data dir>/<name>`,
    as the CLI sets it for a PostgreSQL warehouse)."""
    return run_files_dir(settings.warehouse)


def run_pg_build(settings: Settings, warehouse: PostgresWarehouse) -> PgBuildOutcome:
    """Ingest into PostgreSQL's raw layer, then build and test the dbt models there. Raises
    WarehouseError (one line) when PostgreSQL cannot be reached or refuses the raw layer."""
    outcome = PgBuildOutcome(log=files_dir(settings) / "last_build.log")
    batch_id = str(uuid.uuid4())
    values, fingerprint = dbt_values(settings, batch_id)

    def continues(row: pg_publish.BuildRow) -> bool:
        return not refresh_reason(row, fingerprint, settings.as_of, settings.full_refresh)

    with pg_publish.build_lock(warehouse):
        if settings.source_db:
            extract(settings)
        ingest(settings, warehouse, batch_id, outcome)
        raw_suites(settings, warehouse, values["run_id"], outcome)
        copied = pg_publish.prepare(warehouse, continues)
        if copied:
            progress.step(f"published build copied to continue it: {copied} tables")
        outcome.refresh = refresh_reason(
            pg_publish.last_build(warehouse), fingerprint, settings.as_of, settings.full_refresh
        )
        _dbt(settings, warehouse, values | {"build_fingerprint": fingerprint}, outcome)
        if outcome.ok:
            pg_publish.publish(warehouse)
            outcome.published = True
            progress.step(f"published on {warehouse.masked}")
            score(warehouse, values["run_id"], outcome)
        send_alerts(settings, warehouse, values["run_id"], outcome)
    if outcome.source_records or outcome.records:
        quality_report(settings, warehouse, values["run_id"], outcome)
    return outcome


def score(warehouse: PostgresWarehouse, run_id: str, outcome: PgBuildOutcome) -> None:
    """Score the published build's open cases and pending promises with each current model
    (`amicable.scores`: the registry and the scores in PostgreSQL's `scores` schema, the model
    files under the build's local folder, as `amicable scores train --warehouse URL` keeps
    them), under the build's lock, after publication (the scores read the published marts;
    PostgreSQL's `scores` schema is one both builds share, as its raw layer). Lines into
    `outcome.scores`; a failure is one of them (the build is published already)."""
    import psycopg2

    from amicable.scores.run import score_all
    from dashboards.postgres import writing

    try:
        with writing(warehouse) as con:
            results = score_all(con, run_id)
        outcome.scores = [result.line for result in results]
    except (psycopg2.Error, ValueError, OSError) as exc:
        outcome.scores = [f"case scores not computed: {_error_line(exc)}"]


def send_alerts(
    settings: Settings, warehouse: PostgresWarehouse, run_id: str, outcome: PgBuildOutcome
) -> None:
    """The alerts of build `run_id` (`amicable.alerts`), under the build's lock: every rule on
    the published marts once the build is published, else only its blocking data-quality
    checks, as a DuckDB build sends them; what was sent is recorded in `alerts.sent` there.
    `outcome.alerts`; a failure to evaluate is its one line (never a build failure). Each
    digest's record is committed once delivered, so a later failure does not send it again.
    The digests name this build's as-of date, published or not."""
    import psycopg2

    from amicable.alerts import send
    from dashboards.postgres import writing

    config = load_config(settings.config)
    if not config.alerts.send_after_build:
        return
    rules = None if outcome.published else ["data_quality_blocking"]
    try:
        with writing(warehouse) as con:
            outcome.alerts = send(con, config, run_id, rules, settings.as_of)
    except (psycopg2.Error, ValueError) as exc:  # ValueError: SQL sqlglot cannot translate
        line = f"every recipient: rules not evaluated: {_error_line(exc)}"
        outcome.alerts = AlertsOutcome(failed=[line])


def extract(settings: Settings) -> None:
    from ingestion.source_db import extract, masked

    section = load_config(settings.config).source_database
    reports = extract(
        settings.source_db, settings.landing, section.specs(), section.lookback_minutes
    )
    progress.step(
        f"extracted from {masked(settings.source_db)}: "
        f"{sum(r.rows_written for r in reports)} new or changed rows"
    )


@contextlib.contextmanager
def scratch() -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A DuckDB file of its own for one ingestion, removed at the end."""
    with tempfile.TemporaryDirectory(prefix="amicable-ingest-") as work:
        con = duckdb.connect(str(Path(work) / "ingest.duckdb"))
        con.execute(f"set memory_limit = '{memory_limit()}'")
        try:
            yield con, Path(work)
        finally:
            con.close()


def ingest(
    settings: Settings, warehouse: PostgresWarehouse, batch_id: str, outcome: PgBuildOutcome
) -> None:
    """The landing zone's new files into PostgreSQL's raw layer as batch `batch_id`; the
    sources' counts, the quarantine lines and the rows shipped per table into `outcome`."""
    import psycopg2

    with scratch() as (duck, work):
        ensure_raw_schema(duck, SOURCES)
        with connect(warehouse) as con:
            try:
                with con, con.cursor() as cur:
                    ensure_raw_tables(cur)
                    seen = read_loads(cur, duck, work)
            except psycopg2.Error as exc:
                raise WarehouseError(
                    f"warehouse {warehouse.masked}: cannot read raw._loads: {_libpq_line(exc)}"
                ) from None
        ingest_sources(duck, settings.landing, batch_id, outcome)
        outcome.shipped = ship_batch(warehouse, duck, batch_id, seen)
        rows = sum(n for t, n in outcome.shipped.items() if t in SOURCES_BY_NAME)
        progress.step(f"raw layer copied to {warehouse.masked}: {rows} rows")
        raw_checks(duck, warehouse, settings, outcome)


def raw_suites(
    settings: Settings, warehouse: PostgresWarehouse, run_id: str, outcome: PgBuildOutcome
) -> None:
    """The Great Expectations suite of every raw table (`data_quality.suites`) on PostgreSQL's
    raw layer, each judged as a DuckDB build judges it (`data_quality.checks.suite_record`: a
    blocking expectation, or a row-level one over the failing share, keeps the build
    unpublished), into `outcome.suite_records` (recorded with the dbt tests, `_dbt`).

    As on DuckDB, a suite validates only the raw batches it has not validated yet (every row
    under a new suite or with `--full-refresh`) and reports on the whole table from the
    failures kept in `quality.raw_validations` and `quality.raw_row_failures`
    (`data_quality.validated`), which PostgreSQL keeps in its `quality` schema, shared by every
    build as the raw layer is. What a suite found is committed with its validation, before
    dbt: raw rows are there whether the build is published or not. A suite that cannot run is
    an error of the build: what it guards is then unproven."""
    from dashboards.postgres import writing
    from data_quality.checks import default_asset_key, suite_check_name, suite_record
    from data_quality.runner import run_suite_on
    from data_quality.suites import SUITES

    max_share = load_config(settings.config).quality.max_failing_row_share
    records: list[CheckRecord] = []
    read = 0
    for table, make_suite in SUITES.items():
        suite = make_suite()
        try:
            with writing(warehouse) as con:  # writable: `store`, and the frames registered
                validated = run_suite_on(con, table, suite, full=settings.full_refresh)
                validated.store(con, run_id)
        except Exception as exc:  # GX, DuckDB, PostgreSQL or a file: one line, never a crash
            outcome.errors.append(f"raw suite on {table} not run: {_error_line(exc)}")
            continue
        read += validated.rows_read
        name = suite_check_name(table)
        records.append(suite_record(name, default_asset_key(suite), validated, max_share))
    outcome.suite_records = records
    failed = sum(record.status != "pass" for record in records)
    progress.step(
        f"raw suites: {len(records)} tables validated ({read} rows read), {failed} not passed"
    )


def _error_line(exc: Exception) -> str:
    """`exc` as one line: libpq's message for a PostgreSQL error, else its type and first
    line."""
    import psycopg2

    if isinstance(exc, psycopg2.Error):
        return _libpq_line(exc)
    first = str(exc).strip().split("\n")[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def raw_checks(
    duck: duckdb.DuckDBPyConnection,
    warehouse: PostgresWarehouse,
    settings: Settings,
    outcome: PgBuildOutcome,
) -> None:
    """The raw layer's volume and freshness warnings, as a DuckDB build evaluates them
    (`data_quality.source_checks`), into `outcome`: volume on the scratch file's `raw._loads`
    (PostgreSQL's whole log and this batch), freshness of the raw tables on PostgreSQL (the
    files' extraction times from the same log)."""
    import psycopg2

    from dashboards.postgres import connect as read_only

    quality = load_config(settings.config).quality
    tables = [source.name for source in SOURCES]
    cadences = {table: quality.freshness[table] for table in tables}
    try:
        with contextlib.closing(read_only(warehouse)) as con:
            outcome.freshness = freshness.measure(con, cadences, settings.as_of, loads=duck)
    except psycopg2.Error as exc:  # warnings only: the build goes on without them
        outcome.notes.append(f"raw layer's volume and freshness not checked: {_libpq_line(exc)}")
        return
    volume = source_checks.volume(duck, quality, tables, settings.as_of).outcomes
    fresh = {item.source_table: freshness.outcome(item) for item in outcome.freshness}
    outcome.source_records = [
        *source_checks.warning_records(source_checks.VOLUME_CHECK, volume),
        *source_checks.warning_records(source_checks.FRESHNESS_CHECK, fresh),
    ]
    warned = sum(record.status != "pass" for record in outcome.source_records)
    progress.step(f"raw layer's volume and freshness checked: {warned} warning(s)")


def ingest_sources(
    duck: duckdb.DuckDBPyConnection, landing: Path, batch_id: str, outcome: PgBuildOutcome
) -> None:
    """Every source's new files under `landing` into `duck`'s raw layer (`ingestion.load`:
    contracts, quarantine, `raw._loads` idempotency) as batch `batch_id`, a progress line per
    source; the sources' counts and the quarantine lines into `outcome`. The one ingestion of
    the builds on another engine than DuckDB (PostgreSQL ships `duck`'s batch, Spark keeps
    `duck` as its raw layer's file)."""
    loaded_at = load_time(duck, datetime.now(UTC).replace(tzinfo=None))
    for source in SOURCES:
        report = ingest_source(duck, landing, source, batch_id, loaded_at)
        progress.step(
            f"ingested {source.name}: {report.rows_read} rows read, {report.rows_loaded}"
            f" loaded, {report.rows_quarantined} quarantined"
        )
        outcome.sources.append(
            SourceLine(
                source.name,
                report.rows_read,
                report.rows_loaded,
                report.rows_quarantined,
                sum(f.status == "rejected" for f in report.files),
            )
        )
    outcome.quarantined, outcome.quarantine_total = quarantine_messages(duck, batch_id)


def dbt_values(settings: Settings, batch_id: str) -> tuple[dict, str]:
    """dbt's values for a build of `settings` as batch `batch_id` (the configuration's vars,
    the as-of date, the run id) and the build's fingerprint (`orchestration.incremental`)."""
    config = DbtBuildConfig(
        as_of=settings.as_of.isoformat(),
        reporting_currency=settings.reporting_currency,
        full_refresh=settings.full_refresh,
    )
    values = dbt_vars(config, load_config(settings.config).dbt_vars(), batch_id)
    return values, build_fingerprint(_project_files(DBT_PROJECT_DIR), DBT_PROJECT_DIR, values)


def _dbt(
    settings: Settings, warehouse: PostgresWarehouse, values: dict, outcome: PgBuildOutcome
) -> None:
    """dbt run and test with the build's `values` (its fingerprint included) in the
    unpublished schemas, the full refresh as `outcome.refresh` says; the checks recorded."""
    values = values | {"full_refresh_reason": outcome.refresh}
    values["schema_suffix"] = pg_publish.SUFFIX  # dbt writes the unpublished schemas
    values, read = tests_scope(warehouse, values, outcome)
    marks = marks_for_build(warehouse, values["full_refresh_reason"])
    if marks:
        values["tested_marks"] = marks
    config_vars, build_env = build_environment(values)
    env = {**os.environ, **warehouse.profile_env(), **build_env}
    target = files_dir(settings).absolute() / "dbt"  # dbt reads a relative one from its project
    shutil.rmtree(target, ignore_errors=True)
    common = [
        "--vars", json.dumps(config_vars, sort_keys=True), "--target", DBT_TARGET,
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target / "logs"),
    ]  # fmt: skip

    def row_counts(asset: str) -> int | None:
        with connect(warehouse) as con:
            return model_rows(con, asset)

    def keys(records: list[CheckRecord], test_results: dict) -> list[CheckRecord]:
        with connect(warehouse) as con:
            return with_failing_keys(con, records, test_results)

    quality = load_config(settings.config).quality
    max_share = quality.max_failing_row_share
    restricted = "" if read is None or read.scope is None else sql_scope.describe(read)
    run_and_test(
        "PostgreSQL", common, env, target, outcome, max_share, row_counts, keys, restricted, marks
    )
    if read is not None and outcome.models_ok and outcome.tests_not_passed is not None:
        store_tests_read(warehouse, read, outcome.tests_not_passed, values["run_id"], outcome)
    outcome.checks = [replace(c, asset=pg_publish.published_name(c.asset)) for c in outcome.checks]
    outcome.records = outcome.suite_records + [
        replace(r, asset=pg_publish.published_name(r.asset)) for r in outcome.records
    ]
    outcome.checks = [check_line(r) for r in outcome.suite_records] + outcome.checks
    if outcome.models_ok:
        model_checks(warehouse, quality, values["run_id"], outcome)
    records = outcome.source_records + outcome.records
    if records:
        store_check_results(warehouse, records, values["run_id"], outcome.freshness)
    if outcome.mark_verdicts is not None:  # last: until then the marks stay unsettled (safe)
        store_marks(warehouse, outcome.mark_verdicts, values["run_id"], outcome)


def tests_scope(
    warehouse: PostgresWarehouse, values: dict, outcome: PgBuildOutcome
) -> tuple[dict, sql_scope.Plan | None]:
    """What the data tests of the incremental staging models read on this build, as on DuckDB
    (`orchestration.dbt_assets.tested_rows`, `data_quality.sql_scope`): on a daily build the
    rows of the raw batches loaded since they last all passed, else every row; `values` with
    those batches, and the plan. No plan (every row, a note says why) when it cannot be
    planned: the tests are then only slower."""
    from dashboards.postgres import connect as read_only

    try:
        with contextlib.closing(read_only(warehouse)) as con:
            return tested_rows(con, values)
    except Exception as exc:  # one line, never a traceback
        outcome.notes.append(f"data tests' reading scope not planned: {_error_line(exc)}")
        return values, None


def _build_state() -> dict[str, str]:
    """The schema of the tested marks as the build reads it: that of the unpublished build."""
    return {tested_marks.SCHEMA: pg_publish.unpublished(tested_marks.SCHEMA)}


def marks_for_build(warehouse: PostgresWarehouse, full_refresh_reason: str) -> dict[str, dict]:
    """The tested marks of the build this one continues, which its data tests read from on a
    daily build, as on DuckDB (`data_quality.tested_marks.for_build`: none on a full refresh;
    the marks unsettled and committed before dbt runs, so a build stopped before it records
    its tests leaves them unsettled). WarehouseError (one line) when they cannot be read or
    unsettled: dbt must not run then, as on DuckDB, since rows it writes under a settled mark
    would escape the next build's tests."""
    from dashboards.postgres import writing

    try:
        with writing(warehouse, schemas=_build_state()) as con:
            return tested_marks.for_build(con, full_refresh_reason)
    except Exception as exc:  # one line, never a traceback
        schema = _build_state()[tested_marks.SCHEMA]
        raise WarehouseError(
            f"warehouse {warehouse.masked}: cannot read and unsettle the tested marks in"
            f" {schema}.{tested_marks.NAME} (nothing was built): {_error_line(exc)}; dropping"
            f" schema {schema} makes the tests read every row"
        ) from None


def store_marks(
    warehouse: PostgresWarehouse,
    verdicts: dict[tuple[str, str], bool],
    run_id: str,
    outcome: PgBuildOutcome,
) -> None:
    """Keep the new tested mark of each model whose tests reading from it all passed, drop the
    others' (`data_quality.tested_marks.store`), in the unpublished `build_state` that
    publication swaps with the models: the build's last write, after its check results. Not
    kept: the marks stay as `marks_for_build` left them, unsettled, so the next build reads
    more rows, which is only slower (a note)."""
    from dashboards.postgres import writing

    try:
        with writing(warehouse, schemas=_build_state()) as con:
            tested_marks.store(verdicts)(con, run_id)
    except Exception as exc:  # one line, never a traceback
        outcome.notes.append(f"tested marks not kept: {_error_line(exc)}")


def store_tests_read(
    warehouse: PostgresWarehouse,
    read: sql_scope.Plan,
    failed: list[str],
    run_id: str,
    outcome: PgBuildOutcome,
) -> None:
    """Keep what the staging models' data tests read on this build and which of those did not
    pass (`sql_scope.validation`, in PostgreSQL's shared `quality` schema), so the next daily
    build reads only the batches loaded since they all passed. Committed on its own, before
    the build's check results are recorded (a DuckDB build keeps both in one transaction): a
    kept record says what the tests found, recorded or not. Not kept: the next build reads
    those batches again, which is only slower (a note)."""
    from dashboards.postgres import writing

    try:
        with writing(warehouse) as con:
            sql_scope.validation(read, failed).store(con, run_id)
    except Exception as exc:  # one line, never a traceback
        outcome.notes.append(f"what the data tests read not kept: {_error_line(exc)}")


def model_checks(
    warehouse: PostgresWarehouse, quality: Quality, run_id: str, outcome: PgBuildOutcome
) -> None:
    """The SQL checks (`data_quality.sql_checks`: referential integrity and reconciliations,
    each at its level) and the distribution-shift warnings (`data_quality.distribution`) on the
    unpublished build, as a DuckDB build runs them after dbt, into `outcome`'s records and
    checks (a blocking failure keeps the build unpublished). As on DuckDB, a SQL check reads
    the rows new since it last passed on every row on a daily build, every row otherwise
    (`data_quality.sql_scope`: each check's evaluation committed in PostgreSQL's `quality`
    schema as soon as it ran, its result recorded with the build's other checks). A check
    that cannot run is an error of the build, the others run still: what it guards is then
    unproven, so nothing is published."""
    from dashboards.postgres import rollback, writing
    from data_quality.checks import evaluate_sql_check
    from data_quality.distribution import WATCHED, share_shift

    unpublished = {schema: pg_publish.unpublished(schema) for schema in pg_publish.PUBLISHED}
    records: list[CheckRecord] = []
    try:
        with writing(warehouse, schemas=unpublished) as con:
            for check in SQL_CHECKS:
                try:
                    evaluated = evaluate_sql_check(con, check, quality.max_failing_row_share)
                    evaluated.validation.store(con, run_id)
                    con.commit()
                except Exception as exc:  # any failure: one line, and the next check runs
                    rollback(con)
                    outcome.errors.append(f"SQL check {check.name} not run: {_error_line(exc)}")
                    continue
                records.append(evaluated.record)
            shifts = {w.table: share_shift(con, w, quality.distribution) for w in WATCHED}
        records += source_checks.warning_records(source_checks.DISTRIBUTION_CHECK, shifts)
    except Exception as exc:  # the connection, or a distribution shift: one line
        outcome.errors.append(f"SQL checks or distribution shifts not run: {_error_line(exc)}")
    outcome.records += records
    outcome.checks += [check_line(record) for record in records]
    failed = sum(record.status != "pass" for record in records)
    progress.step(f"SQL checks and distribution shifts: {len(records)} run, {failed} not passed")


def quality_report(
    settings: Settings, warehouse: PostgresWarehouse, run_id: str, outcome: PgBuildOutcome
) -> None:
    """The quality report of run `run_id` (`data_quality.report`, read from PostgreSQL's
    `quality` tables) beside the build's log, as a DuckDB build writes its own, after the
    build is published or not: a report that cannot be written is a note, never a failure."""
    import psycopg2

    from dashboards.postgres import connect as read_only
    from data_quality.report import report_path, write_report

    try:
        with contextlib.closing(read_only(warehouse)) as con:
            outcome.report = write_report(con, report_path(settings.warehouse), run_id)
    except (psycopg2.Error, OSError, ValueError) as exc:
        outcome.notes.append(f"quality report not written: {_error_line(exc)}")


def store_check_results(
    warehouse: PostgresWarehouse,
    records: list[CheckRecord],
    run_id: str,
    fresh: list[freshness.Freshness] | None = None,
) -> None:
    """Append the build's check results to PostgreSQL's `quality.check_results` and its
    freshness figures (`fresh`) to `quality.source_freshness` (the DuckDB tables' columns; one
    transaction), as a DuckDB build appends them to its slot. The `quality` schema is shared,
    like `raw`: a blocked build's results are kept too, for the data health page."""
    doing = "cannot record the checks in quality.check_results"
    rows = results.table_rows(records, run_id)
    freshness_rows = freshness.table_rows(fresh or [], run_id)
    with pg_publish.one_line(warehouse, doing), connect(warehouse) as con, con, con.cursor() as cur:
        cur.execute("create schema if not exists quality")
        cur.execute(results.DDL)
        cur.executemany(f"insert into {results.TABLE} values ({_marks(rows)})", rows)
        if freshness_rows:
            cur.execute(freshness.DDL)
            sql = f"insert into {freshness.TABLE} values ({_marks(freshness_rows)})"
            cur.executemany(sql, freshness_rows)


def _marks(rows: list[list[object]]) -> str:
    """psycopg2's placeholders for one of `rows`."""
    return ", ".join(["%s"] * len(rows[0]))


def run_and_test(
    engine: str,
    common: list[str],
    env: Mapping[str, str],
    target: Path,
    outcome: PgBuildOutcome,
    max_share: float,
    row_counts: RowCounts,
    keys: Callable[[list[CheckRecord], dict], list[CheckRecord]] | None = None,
    restricted: str = "",
    marks: Mapping[str, Mapping[str, object]] | None = None,
) -> None:
    """`dbt run` (`--full-refresh` when `outcome.refresh` says why), then `dbt test` of the
    data tests (the unit tests are the test suite's), each judged by its level as on DuckDB
    (`orchestration.dbt_results.check_records`: a blocking failure is `fail`, a row-level one
    by its share of the tested model's rows, `row_counts`) into `outcome`, dbt's output into
    `outcome.log`, with the tests reading only new rows that did not pass
    (`outcome.tests_not_passed`). `common`: dbt's arguments naming the target, its vars and
    `target`, where its artifacts go (removed when the build passes). `restricted`: what the
    staging models' tests read on this build, said in their records; `marks`: the tested marks
    the other incremental models' tests read from, said in theirs, and whether those tests all
    passed, per model (`outcome.mark_verdicts`). `keys`: the records with
    the keys of their first failing rows (`dbt_results.with_failing_keys` on the engine), when
    it can read them."""
    kind = f"full refresh: {outcome.refresh}" if outcome.refresh else "incremental"
    progress.step(f"dbt on {engine}: building the models ({kind})")
    refresh = ["--full-refresh"] if outcome.refresh else []
    assert outcome.log is not None
    outcome.log.parent.mkdir(parents=True, exist_ok=True)
    with outcome.log.open("w", encoding="utf-8") as log:
        models = subprocess.run(
            [dbt_executable(), "run", *refresh, *common], env=env, stdout=log, stderr=log
        )
        run_results = _artifact(target / "run_results.json")
        manifest = _artifact(target / "manifest.json")
        outcome.models_ok = models.returncode == 0
        if not outcome.models_ok:
            outcome.errors.append(
                f"{failure_summary(run_results, manifest)}. dbt's artifacts and log: {target}"
            )
        reading = f" (staging: {restricted})" if restricted else ""
        progress.step(f"dbt on {engine}: running the data tests{reading}")
        (target / "run_results.json").unlink(missing_ok=True)  # the models' results
        tests = subprocess.run(
            [dbt_executable(), "test", "--exclude-resource-type", "unit_test", *common],
            env=env,
            stdout=log,
            stderr=log,
        )
    test_results = _artifact(target / "run_results.json")
    if not test_results.get("results"):  # dbt stopped before any test (not a test failing)
        outcome.errors.append(
            f"dbt's data tests did not run (dbt exited {tests.returncode}): see {outcome.log}"
        )
        return
    manifest = _artifact(target / "manifest.json")
    records = check_records(test_results, manifest, max_share, row_counts, restricted, marks)
    outcome.records = keys(records, test_results) if keys else records
    outcome.tests_not_passed = restricted_failures(test_results, manifest)
    outcome.mark_verdicts = tested_marks.verdicts(test_results, manifest)
    outcome.checks = [check_line(r) for r in outcome.records]
    if outcome.ok:
        shutil.rmtree(target, ignore_errors=True)


def check_line(record: CheckRecord) -> CheckLine:
    """`record` as the outcome prints it (from dbt when its asset is a model)."""
    return CheckLine(
        record.asset,
        record.check_name,
        record.status,
        record.blocking,
        not record.asset.startswith("raw/"),
        record.description or "",
        record.failing_keys,
    )


def _artifact(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def format_pg_outcome(
    outcome: PgBuildOutcome, warehouse: PostgresWarehouse, settings: Settings
) -> str:
    engine = "a PostgreSQL warehouse"
    ran = {record.check_name for record in outcome.records}
    sql = ran & {check.name for check in SQL_CHECKS}  # not when the models failed
    checked = "dbt tests, SQL checks and distribution shifts" if sql else "dbt tests"
    if outcome.suite_records:
        checked = f"raw suites, {checked}"
    return format_outcome(
        outcome, warehouse.masked, settings, engine, NOT_YET, publishes=True, checked=checked
    )


def format_outcome(
    outcome: PgBuildOutcome,
    where: str,
    settings: Settings,
    engine: str,
    not_yet: Iterable[str],
    publishes: bool = False,
    checked: str = "dbt tests",
) -> str:
    """The outcome of a build on another engine than DuckDB (`engine`, as in "not done on
    {engine} yet"; `where`: its warehouse, as printed; `publishes`: whether the engine's build
    publishes atomically, or writes the live tables; `checked`: what its checks are)."""
    from collections import Counter

    from amicable.alerts import summary as alerts_summary
    from orchestration.report import _keys, _table

    out = [f"warehouse {where}  landing {settings.landing}  as of {settings.as_of}", ""]
    rows: list[list[object]] = [
        [s.source_table, s.rows_read, s.rows_loaded, s.rows_quarantined, s.files_rejected]
        for s in sorted(outcome.sources, key=lambda s: s.source_table)
    ]
    rows.append(["total", *(sum(r[i] for r in rows) for i in range(1, 5))])  # type: ignore[misc]
    out.append(_table(["source", "read", "loaded", "quarantined", "files rejected"], rows))
    if outcome.quarantined:
        out.append(
            f"\nquarantined by this run ({outcome.quarantine_total} line(s), see raw.quarantine):"
        )
        out += [f"  {line}" for line in outcome.quarantined]
    counts = Counter(c.status for c in outcome.checks)
    out.append(
        f"\n{checked}: {counts['pass']} passed, {counts['warn']} warned, {counts['fail']} blocking"
    )
    out += [
        f"  {'BLOCKS' if c.status == 'fail' else 'WARN'} {c.check} on {c.asset}{_keys(c)}"
        for c in outcome.checks
        if c.status in ("warn", "fail")
    ]
    raw = [check_line(r) for r in outcome.source_records]
    if raw:
        warned = [c for c in raw if c.status != "pass"]
        out.append(f"\nraw layer's volume and freshness: {len(raw) - len(warned)} passed, "
                   f"{len(warned)} warned (never blocking)")  # fmt: skip
        out += [f"  WARN {c.check} on {c.asset}{_keys(c)}" for c in warned]
    if outcome.errors:
        out.append("\nfailed:")
        out += [f"  {e}" for e in outcome.errors]
    if outcome.alerts is not None:
        out += ["", *alerts_summary(outcome.alerts)]
    if outcome.scores:
        out += ["", *outcome.scores]
    if outcome.notes:
        out.append("\nnot done (the build went on):")
        out += [f"  {note}" for note in outcome.notes]
    if not_yet:
        out.append(f"\nnot done on {engine} yet:")
        out += [f"  {line}" for line in not_yet]
    out.append(f"\ndbt log: {outcome.log}")
    if outcome.report is not None:
        out.append(f"quality report: {outcome.report}")
    if outcome.published:
        out.append("build succeeded and published")
    elif not publishes:
        out.append(
            "build succeeded" if outcome.ok else "build FAILED or a check blocks (figures are live)"
        )
    else:
        blocked = outcome.models_ok and not outcome.errors
        reason = "a check blocks publication" if blocked else "a step failed"
        out.append(
            f"build NOT PUBLISHED ({reason}): readers keep the last published build, if any; this"
            f" build stays in the unpublished schemas (marts{pg_publish.SUFFIX}, ...) for the"
            " investigation"
        )
    return "\n".join(out)
