"""`amicable`: the one command-line tool (generate, sample-db, import, build, compare-engines,
serve, users, demo, case-file, statements, docs, alerts, scores, dagster).

Defaults live under one data directory (`$AMICABLE_HOME`, else `./data`): the landing zone in
`<data>/landing`, the warehouse in `<data>/warehouse.duckdb`. Errors a user can fix are printed
as one line starting with `amicable: error:` and exit with status 2; a build whose blocking
check fails exits with status 1; anything unexpected is one line too (status 3), with the
traceback when AMICABLE_DEBUG=1. `case-file` exits with status 1 when the file it wrote does
not reconcile to the source rows.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from amicable.config import ConfigError, load_config
from amicable.scores.spec import SCORES
from amicable.settings import (
    DASHBOARD_SERVER,
    DEFAULT_CONFIG,
    HOME_ENV,
    SCHEMAS,
    SOURCE_DB_ENV,
    WAREHOUSE_ENV,
    Settings,
    default_data_dir,
    memory_limit,
    today,
    warehouse_name,
)
from amicable.warehouse_ref import (
    PostgresWarehouse,
    SparkWarehouse,
    Warehouse,
    WarehouseError,
    location,
    warehouse_ref,
)

if TYPE_CHECKING:
    from amicable.case_file import CaseFile
    from dashboards.postgres import Connection

DEBUG_ENV = "AMICABLE_DEBUG"


class UserError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (expected YYYY-MM-DD): {text!r}") from None


def _stamp(text: str) -> datetime:
    from ingestion.landing import STAMP_FORMAT

    try:
        return datetime.strptime(text.replace(":", "").upper(), STAMP_FORMAT)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an extraction time (expected YYYY-MM-DDTHHMM, UTC): {text!r}"
        ) from None


def _parser() -> argparse.ArgumentParser:
    data = default_data_dir()
    parser = argparse.ArgumentParser(
        prog="amicable",
        description="Collections analytics warehouse: sample data, build, dashboard.",
        epilog=f"Defaults live under the data directory ${HOME_ENV} (now: {data}).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    epilog = f"Defaults live under the data directory ${HOME_ENV} (now: {data})."

    gen = sub.add_parser(
        "generate", help="write a sample landing zone (seeded simulator)", epilog=epilog
    )
    gen.add_argument(
        "--size",
        default="demo",
        help="tiny, demo, large or xl (~1.2M invoices, ~1M payments, ~10M contact events, one "
        "file per source and night) (default: demo)",
    )
    gen.add_argument(
        "--debtors",
        type=_positive,
        default=None,
        metavar="N",
        help="scale the size to N debtors (its volumes follow; xl has 240000)",
    )
    gen.add_argument(
        "--daily",
        action="store_true",
        default=None,
        help="one file per source and night, to replay the days one by one (xl always is)",
    )
    gen.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    gen.add_argument(
        "--out", type=Path, default=data / "landing", help="output folder (default: %(default)s)"
    )
    gen.add_argument(
        "--as-of", type=_date, default=None, help="last day of history (default: today in UTC)"
    )
    gen.add_argument(
        "--quality-defects",
        action="store_true",
        help="also plant rows that pass the contract but must fail a data-quality check "
        "(labelled in OUT/_labels/quality_defects.jsonl)",
    )

    sample_db = sub.add_parser(
        "sample-db",
        help="write a sample's case-tool and ERP tables into PostgreSQL (a source database)",
        epilog=epilog,
    )
    sample_db.add_argument(
        "--landing",
        type=Path,
        default=data / "landing",
        help="the sample landing zone to read (`amicable generate`; default: %(default)s)",
    )
    _source_db_arg(sample_db, required=True)
    sample_db.add_argument(
        "--keep-files",
        action="store_true",
        help="leave the tables' files in the landing zone (default: move them to "
        "LANDING/_in_source_db/, so a build reads these tables from the database only)",
    )

    imp = sub.add_parser(
        "import",
        help="turn a foreign export (CSV or Excel) into a landing-zone file through a mapping",
        epilog=epilog,
    )
    imp.add_argument(
        "--mapping", type=Path, required=True, help="the mapping file (YAML; see the README)"
    )
    imp.add_argument(
        "--input", type=Path, required=True, help="the export: a .csv file or an .xlsx workbook"
    )
    imp.add_argument(
        "--landing", type=Path, default=data / "landing", help="landing zone (default: %(default)s)"
    )
    imp.add_argument(
        "--extracted-at",
        type=_stamp,
        default=None,
        metavar="YYYY-MM-DDTHHMM",
        help="extraction time in the file name, UTC (default: the input's modification time)",
    )
    imp.add_argument(
        "--check",
        action="store_true",
        help="read, convert and validate, print the counts and reasons, write nothing",
    )

    build = sub.add_parser(
        "build", help="ingest, transform and check: materialise every asset", epilog=epilog
    )
    _warehouse_args(build, data, urls=True)
    build.add_argument(
        "--as-of", type=_date, default=None, help="as-of date (default: today in UTC)"
    )
    build.add_argument(
        "--reporting-currency", default="", help="ISO 4217 code (default: the configuration's)"
    )
    _source_db_arg(build)
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="recompute every model from the raw layer (default: only what new files touch, "
        "unless the models, settings or an earlier as-of date call for a full build)",
    )

    engines = sub.add_parser(
        "compare-engines",
        help="build one sample on DuckDB and on PostgreSQL and/or Spark and compare every "
        "model table",
        epilog=epilog,
    )
    engines.add_argument(
        "--postgres",
        type=_warehouse_ref,
        default=None,
        metavar="URL",
        help="an empty PostgreSQL database to build in, postgresql://USER@HOST:PORT/DATABASE "
        "(the password: in the URL, or PGPASSWORD)",
    )
    engines.add_argument(
        "--spark",
        action="store_true",
        help="build on Apache Spark too, in local mode (needs Java 17 and the `spark` extra: "
        "uv sync --extra spark); its files under OUT/spark",
    )
    engines.add_argument(
        "--size", default=None, help="the sample generated: tiny or demo (default: demo)"
    )
    engines.add_argument("--seed", type=int, default=None, help="random seed (default: 7)")
    engines.add_argument(
        "--landing",
        type=Path,
        default=None,
        help="build this landing zone instead of generating a sample",
    )
    engines.add_argument(
        "--as-of", type=_date, default=None, help="as-of date (default: today in UTC)"
    )
    engines.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"business thresholds file (default: {DEFAULT_CONFIG})",
    )
    engines.add_argument(
        "--out",
        type=Path,
        default=data / "compare-engines",
        metavar="DIR",
        help="folder of the sample, the DuckDB warehouse, the builds' logs and report.md "
        "(default: %(default)s)",
    )

    serve = sub.add_parser("serve", help="open the dashboard on a warehouse", epilog=epilog)
    serve.add_argument(
        "--warehouse",
        type=_warehouse_ref,
        default=data / "warehouse.duckdb",
        help="DuckDB file, or a PostgreSQL warehouse's URL postgresql://USER@HOST:PORT/DB "
        "(password in the URL or PGPASSWORD) (default: %(default)s)",
    )
    _address_args(serve)
    _access_args(serve, data)

    users = sub.add_parser("users", help="manage the dashboard's users file", epilog=epilog)
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add or replace a user (asks for the password)")
    add.add_argument("username", help="the name the user signs in with")
    add.add_argument("--role", required=True, help="finance, supervisor, agent, auditor or admin")
    add.add_argument(
        "--agent-id",
        default=None,
        help="the agent's id in the case tool, for the agent role: it must be one of the "
        "warehouse's agents (staging.stg_cases__agents), so a warehouse must be built first",
    )
    add.add_argument(
        "--warehouse",
        type=_warehouse_ref,
        default=data / "warehouse.duckdb",
        help="where --agent-id is looked up: a DuckDB file, or a PostgreSQL database "
        "postgresql://USER@HOST:PORT/DATABASE (default: %(default)s)",
    )
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--email", default="", help="e-mail address (optional)")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    users_file = "users file (default: %(default)s)"
    add.add_argument("--users", type=Path, default=data / "users.yml", help=users_file)
    listing = users_sub.add_parser("list", help="list the users and their roles")
    listing.add_argument("--users", type=Path, default=data / "users.yml", help=users_file)

    demo = sub.add_parser(
        "demo", help="generate (if absent), build and serve the sample", epilog=epilog
    )
    _warehouse_args(demo, data)
    _address_args(demo)
    demo.add_argument("--no-serve", action="store_true", help="stop after the build")
    _access_args(demo, data)

    case_file = sub.add_parser(
        "case-file",
        help="write one case's auditor file (PDF or CSV) and log the export",
        epilog=epilog,
    )
    case_file.add_argument("--case", required=True, metavar="ID", help="case id (case_id)")
    _published_warehouse_arg(case_file, data)
    case_file.add_argument(
        "--format",
        choices=("pdf", "csv"),
        default="pdf",
        help="pdf: the auditor's file; csv: its records, one per row (default: %(default)s)",
    )
    case_file.add_argument(
        "--out", type=Path, default=None, help="file to write (default: case_file_ID.FORMAT)"
    )
    case_file.add_argument(
        "--user",
        default=None,
        help="who you say exports, logged as claimed_user beside the OS user (the export log's "
        "user)",
    )

    statements = sub.add_parser(
        "statements",
        help="write statements of account (PDF and CSV per debtor) for a segment or a list",
        epilog=epilog,
    )
    _published_warehouse_arg(statements, data)
    chosen = statements.add_mutually_exclusive_group(required=True)
    chosen.add_argument(
        "--segment",
        default=None,
        help="every debtor of this segment (B2B, B2C, all) with an item open or moving in the "
        "period",
    )
    chosen.add_argument(
        "--debtor",
        action="append",
        default=None,
        metavar="ID",
        help="a debtor id (debtor_id); repeat for several",
    )
    chosen.add_argument(
        "--debtors",
        type=Path,
        default=None,
        metavar="FILE",
        help="a text file of debtor ids, one a line (blank lines and # comments skipped)",
    )
    statements.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="statement date (default: the warehouse's as-of date)",
    )
    statements.add_argument(
        "--from",
        dest="from_date",
        type=_date,
        default=None,
        metavar="DATE",
        help="first day of the period (default: the first day of the statement date's month)",
    )
    statements.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write the files into"
    )

    docs = sub.add_parser(
        "docs",
        help="generate dbt's documentation (models, columns, lineage) and serve it",
        epilog=epilog,
    )
    docs.add_argument(
        "--warehouse",
        type=_warehouse_ref,
        default=data / "warehouse.duckdb",
        help="DuckDB file, or PostgreSQL database postgresql://USER@HOST:PORT/DATABASE, whose "
        "column types the site shows, read-only (default: %(default)s; absent: the site has no "
        "column types)",
    )
    docs.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"business thresholds file, passed to dbt as a build does (default: {DEFAULT_CONFIG})",
    )
    docs.add_argument(
        "--as-of", type=_date, default=None, help="as-of date (default: today in UTC)"
    )
    docs.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder of the site (default: logs/<warehouse name>/docs beside the warehouse)",
    )
    docs.add_argument("--no-serve", action="store_true", help="generate only, do not serve")
    docs.add_argument(
        "--port", type=int, default=8080, help="serve on 127.0.0.1:PORT (default: %(default)s)"
    )

    alerts = sub.add_parser(
        "alerts",
        help="evaluate the alert rules on the published warehouse and send what is new",
        epilog=epilog,
    )
    alerts.add_argument(
        "--warehouse",
        type=_warehouse_ref,
        default=data / "warehouse.duckdb",
        help="DuckDB file, or a PostgreSQL database postgresql://USER@HOST:PORT/DATABASE (the "
        "password: in the URL, or PGPASSWORD) (default: %(default)s)",
    )
    alerts.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"rules and recipients, section `alerts` (default: {DEFAULT_CONFIG})",
    )
    alerts.add_argument(
        "--dry-run",
        action="store_true",
        help="print per recipient the digest that would be sent; send and record nothing",
    )

    scores = sub.add_parser(
        "scores",
        help="train the case scores, or score the open cases with the current models",
        epilog=epilog,
    )
    scores_sub = scores.add_subparsers(dest="scores_command", required=True, metavar="ACTION")
    score_train = scores_sub.add_parser(
        "train",
        help="train each score on the published warehouse's closed history, store it, score",
    )
    score_train.add_argument(
        "--score",
        choices=sorted(SCORES),
        action="append",
        help="the score to train (repeatable; default: every score)",
    )
    score_run = scores_sub.add_parser(
        "score", help="score every open case at the as-of date with each current model"
    )
    for action in (score_train, score_run):
        action.add_argument(
            "--warehouse",
            type=_warehouse_ref,
            default=data / "warehouse.duckdb",
            help="DuckDB file, or a PostgreSQL database postgresql://USER@HOST:PORT/DATABASE (the "
            "password: in the URL, or PGPASSWORD) (default: %(default)s); models go to "
            "models/<name>/ beside the file, or beside the database's local folder (<data "
            "dir>/<DB@HOST-PORT>)",
        )

    ui = sub.add_parser(
        "dagster",
        help="open the Dagster UI (asset graph, build history, checks) on a warehouse",
        epilog=epilog,
    )
    ui.add_argument(
        "--warehouse",
        type=Path,
        default=data / "warehouse.duckdb",
        help="DuckDB file whose builds it shows (its instance: dagster/<name>/ beside it; "
        "default: %(default)s)",
    )
    ui.add_argument(
        "--port", type=int, default=3000, help="serve on 127.0.0.1:PORT (default: %(default)s)"
    )
    # A usage error names the (sub)command it is about, with that command's usage (main).
    for subparser in [
        *sub.choices.values(),
        *users_sub.choices.values(),
        *scores_sub.choices.values(),
    ]:
        subparser.set_defaults(usage_parser=subparser)
    return parser


def _access_args(parser: argparse.ArgumentParser, data: Path) -> None:
    parser.add_argument(
        "--users",
        type=Path,
        default=data / "users.yml",
        help="users file with roles and hashed passwords, `amicable users add` (default: "
        "%(default)s)",
    )
    parser.add_argument(
        "--open",
        action="store_true",
        help="no sign-in, everyone is admin: for one person on their own machine",
    )


def _address_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=8501,
        help="TCP port the dashboard listens on (default: %(default)s)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this machine only; 0.0.0.0: every "
        "interface)",
    )
    parser.add_argument(
        "--allow-insecure-public",
        action="store_true",
        help="listen on a non-loopback --host even with --open or the demo password",
    )


def _published_warehouse_arg(parser: argparse.ArgumentParser, data: Path) -> None:
    """--warehouse of a command that reads the published build, read-only."""
    parser.add_argument(
        "--warehouse",
        type=_warehouse_ref,
        default=data / "warehouse.duckdb",
        help="DuckDB file, or a PostgreSQL database postgresql://USER@HOST:PORT/DATABASE (the "
        "password: in the URL, or PGPASSWORD), read-only (default: %(default)s)",
    )


def _source_db_arg(parser: argparse.ArgumentParser, required: bool = False) -> None:
    default = os.environ.get(SOURCE_DB_ENV, "")
    parser.add_argument(
        "--source-db",
        metavar="URL",
        default=default,
        required=required and not default,
        help="PostgreSQL database of the case tool and the ERP, "
        "postgresql://USER@HOST:PORT/DATABASE (the password: PGPASSWORD or ~/.pgpass, or in "
        f"the URL); default: ${SOURCE_DB_ENV}"
        + ("" if required else ", else none (the landing zone's files only)"),
    )


def _warehouse_ref(text: str, spark: bool = False) -> Path | PostgresWarehouse | SparkWarehouse:
    """--warehouse of `serve`: a DuckDB file or a PostgreSQL URL (amicable.warehouse_ref); with
    `spark` (`build`'s) `spark:DIR` too; a bad URL is argparse's one-line error."""
    try:
        return warehouse_ref(text, spark=spark)
    except WarehouseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _build_warehouse_ref(text: str) -> Path | PostgresWarehouse | SparkWarehouse:
    return _warehouse_ref(text, spark=True)


def _warehouse_args(parser: argparse.ArgumentParser, data: Path, urls: bool = False) -> None:
    parser.add_argument(
        "--landing", type=Path, default=data / "landing", help="landing zone (default: %(default)s)"
    )
    parser.add_argument(
        "--warehouse",
        type=_build_warehouse_ref if urls else Path,
        default=data / "warehouse.duckdb",
        help="DuckDB file"
        + (
            ", or a PostgreSQL database postgresql://USER@HOST:PORT/DATABASE (the password: in "
            'the URL, or PGPASSWORD; see README "PostgreSQL as a warehouse"), or spark:DIR, '
            "Apache Spark in local mode with its files in DIR (the `spark` extra and Java 17; "
            'see README "Apache Spark as a warehouse")'
            if urls
            else ""
        )
        + " (default: %(default)s)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"business thresholds file (default: {DEFAULT_CONFIG})",
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from sample_data import SIZES, generate

    if args.size not in SIZES:
        raise UserError(f"unknown size {args.size!r}: choose one of {', '.join(SIZES)}")
    try:
        summary = generate(
            args.out,
            size=args.size,
            seed=args.seed,
            as_of=args.as_of,
            debtors=getattr(args, "debtors", None),
            daily=getattr(args, "daily", None),
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"sample landing zone written to {args.out}")
    print(summary)
    if getattr(args, "quality_defects", False):
        from sample_data.quality_defects import LABELS, plant_quality_defects

        planted = plant_quality_defects(args.out)
        print(
            f"{len(planted)} data-quality defects planted (labels: "
            f"{args.out / '_labels' / LABELS}): {', '.join(str(p['defect']) for p in planted)}"
        )
    return 0


def cmd_sample_db(args: argparse.Namespace) -> int:
    from ingestion.load import LandingError, check_landing
    from ingestion.source_db import SourceDatabaseError, masked
    from sample_data.source_db import MOVED_FOLDER, load_sample, move_files

    try:
        check_landing(args.landing)
        tables = load_sample(args.landing, args.source_db)
    except (LandingError, SourceDatabaseError) as exc:
        raise UserError(str(exc)) from None
    print(f"sample {args.landing} written to {masked(args.source_db)}")
    for table in tables:
        left = f", {len(table.left_out)} left out" if table.left_out else ""
        print(f"  {table.relation}: {table.rows_stored} rows ({table.rows_read} read{left})")
        for file, row, why in table.left_out:
            print(f"    left out (a typed column cannot hold it): {file}:{row} {why}")
    if not args.keep_files:
        moved = move_files(args.landing, tables)
        print(
            f"{moved} file(s) moved to {args.landing / MOVED_FOLDER}: a build reads these "
            "tables from the database (--source-db)"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ingestion import importer
    from ingestion.exports import ImportFailed, read_export
    from ingestion.mapping import MappingError, load_mapping

    try:
        loaded = load_mapping(args.mapping)
        importer.check_output_table(loaded)
        export = read_export(args.input, loaded.mapping.read)
        stamp = args.extracted_at or importer.default_extracted_at(args.input)
        result = importer.apply_mapping(loaded, export, stamp)
        out = importer.output_path(args.landing, loaded, stamp)
        rejected = importer.rejected_path(args.landing, out)
        print(f"{args.input} -> {loaded.mapping.table} through {args.mapping}")
        folded = f", {result.folded} folded into rows of the same key" if result.folded else ""
        print(
            f"rows in {result.rows_in}: out {result.out.height}, rejected "
            f"{result.rejected.height}, skipped by the mapping {result.skipped}{folded}"
        )
        for field, reason, rows in result.reasons():
            print(f"  rejected {rows}: {field}: {reason}")
        if args.check:
            print(f"check only, nothing written (would write {out})")
            return 0
        if not args.landing.is_dir():
            raise UserError(f"landing folder {args.landing} does not exist or is not a folder")
        written = importer.write_output(out, importer.output_bytes(loaded, result.out, out))
        print(f"{'written' if written else 'unchanged (already there)'}: {out}")
        if result.rejected.height:
            importer.write_rejected(rejected, result.rejected)
            print(f"rejected rows, with their reasons: {rejected}")
    except (MappingError, ImportFailed) as exc:
        raise UserError(str(exc)) from None
    return 0


def _build_settings(args: argparse.Namespace, warehouse: Path, source_db: str) -> Settings:
    return Settings(
        landing=args.landing,
        warehouse=warehouse,
        as_of=getattr(args, "as_of", None) or today(),
        config=args.config,
        reporting_currency=getattr(args, "reporting_currency", ""),
        full_refresh=getattr(args, "full_refresh", False),
        source_db=source_db,
    )


def cmd_build(args: argparse.Namespace) -> int:
    from ingestion.load import LandingError, check_landing

    if isinstance(args.warehouse, PostgresWarehouse):
        return _build_on_postgres(args, args.warehouse)
    if isinstance(args.warehouse, SparkWarehouse):
        return _build_on_spark(args, args.warehouse)
    from orchestration.catch_up import CatchUpFailed
    from orchestration.publish import (
        WarehouseCopyFailed,
        WarehouseLocked,
        WarehouseSlotBusy,
        check_unlocked,
    )

    name = warehouse_name(args.warehouse)
    if name.lower() in SCHEMAS:
        raise UserError(
            f"warehouse {args.warehouse}: a warehouse named {name!r} collides with the schema "
            f"of that name inside it; choose another name (e.g. {name}_warehouse.duckdb)"
        )
    try:
        check_landing(args.landing)  # before the slow imports below
        check_unlocked(args.warehouse)  # a second build stops at once
        memory_limit()  # a malformed $AMICABLE_MEMORY_LIMIT too
    except (LandingError, WarehouseLocked, ValueError) as exc:
        raise UserError(str(exc)) from None
    try:
        config = load_config(args.config)  # a bad threshold file stops here, in one line
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    source_db = getattr(args, "source_db", "")
    if source_db:  # a fault stops the build before anything is loaded, in one line
        from ingestion.source_db import SourceDatabaseError, check

        try:
            check(source_db, config.source_database.specs())
        except SourceDatabaseError as exc:
            raise UserError(str(exc)) from None
    from amicable import progress
    from orchestration.build import run_build
    from orchestration.report import print_outcome

    settings = _build_settings(args, args.warehouse, source_db)
    try:
        with progress.to_terminal(sys.stderr):
            outcome = run_build(settings)
    except (
        LandingError,
        WarehouseLocked,
        WarehouseCopyFailed,
        WarehouseSlotBusy,
        CatchUpFailed,
    ) as exc:
        raise UserError(str(exc)) from None
    print_outcome(outcome, settings)
    return 0 if outcome.ok else 1


def _build_on_postgres(args: argparse.Namespace, warehouse: PostgresWarehouse) -> int:
    """`amicable build` on a PostgreSQL warehouse (orchestration.pg_build, a first slice)."""
    from ingestion.pg_warehouse import check
    from orchestration.pg_build import format_pg_outcome, run_pg_build

    # reachable, login accepted, raw layer created: before anything loads
    source_db = _check_build_inputs(args, lambda: check(warehouse))
    # the build's local files (its log) under <data dir>/logs/<DB@HOST-PORT>/
    settings = _build_settings(args, default_data_dir() / warehouse.name, source_db)
    return _run_engine_build(run_pg_build, format_pg_outcome, settings, warehouse)


def _build_on_spark(args: argparse.Namespace, warehouse: SparkWarehouse) -> int:
    """`amicable build --warehouse spark:DIR` (orchestration.spark_build); exit 2 with one
    line when Spark cannot start here (no `spark` extra, no Java)."""
    from orchestration.spark_build import format_spark_outcome, java_missing, run_spark_build

    if reason := java_missing():
        raise UserError(f"warehouse {warehouse}: Spark cannot start here: {reason}")
    if args.full_refresh:
        print("--full-refresh: every build on Spark is one already", file=sys.stderr)
    source_db = _check_build_inputs(args)
    settings = _build_settings(args, warehouse.directory, source_db)
    return _run_engine_build(run_spark_build, format_spark_outcome, settings, warehouse)


def _check_build_inputs(args: argparse.Namespace, check_warehouse=lambda: None) -> str:
    """Before a build on another engine than DuckDB loads anything: the landing zone, the
    memory limit (the ingestion's DuckDB reads it), the configuration, the source database
    (its URL returned, "" for none) and `check_warehouse`; a fault is one line (UserError)."""
    from ingestion.load import LandingError, check_landing
    from ingestion.source_db import SourceDatabaseError

    try:
        check_landing(args.landing)
        memory_limit()
        config = load_config(args.config)
        source_db = getattr(args, "source_db", "")
        if source_db:
            from ingestion.source_db import check as check_source

            check_source(source_db, config.source_database.specs())
        check_warehouse()
    except (LandingError, ValueError, ConfigError, SourceDatabaseError, WarehouseError) as exc:
        raise UserError(str(exc)) from None
    return source_db


def _run_engine_build(run, format_outcome, settings: Settings, warehouse) -> int:
    """`run(settings, warehouse)` with its progress lines on stderr, then its outcome printed
    (`format_outcome`); 0 when it passed, 1 when not, a fault before dbt one line."""
    from amicable import progress
    from ingestion.load import LandingError
    from ingestion.source_db import SourceDatabaseError

    try:
        with progress.to_terminal(sys.stderr):
            outcome = run(settings, warehouse)
    except (LandingError, SourceDatabaseError, WarehouseError) as exc:
        raise UserError(str(exc)) from None
    print(format_outcome(outcome, warehouse, settings))
    return 0 if outcome.ok else 1


def cmd_compare_engines(args: argparse.Namespace) -> int:
    """Build one sample on every engine and compare their model tables (issue 16): 0 when every
    build passes and every table is equal, 1 otherwise."""
    from amicable import engine_compare
    from ingestion.load import LandingError, check_landing
    from orchestration.engines import duckdb_engine, postgres_engine, postgres_loads, spark_engine
    from orchestration.spark_build import java_missing

    if args.postgres is None and not args.spark:
        raise UserError("compare-engines needs an engine beside DuckDB: --postgres URL, --spark")
    if args.postgres is not None and not isinstance(args.postgres, PostgresWarehouse):
        raise UserError(f"--postgres {args.postgres}: not a PostgreSQL URL (postgresql://...)")
    if args.landing and (args.size or args.seed is not None):
        raise UserError("--landing builds that landing zone: --size and --seed are for a sample")
    if args.spark and (reason := java_missing()):
        raise UserError(f"--spark: Spark cannot start here: {reason}")
    as_of = args.as_of or today()
    try:
        # reachable, login accepted, raw layer there
        loaded = postgres_loads(args.postgres) if args.postgres else 0
        load_config(args.config)
    except (WarehouseError, ConfigError) as exc:
        raise UserError(str(exc)) from None
    if loaded:
        raise UserError(
            f"warehouse {args.postgres}: holds a build already ({loaded} file(s) in raw._loads); "
            "compare-engines builds the sample into an empty database"
        )
    landing = args.landing or args.out / "landing"
    size, seed = args.size or "demo", 7 if args.seed is None else args.seed
    if not args.landing:
        shutil.rmtree(landing, ignore_errors=True)
        cmd_generate(argparse.Namespace(size=size, seed=seed, out=landing, as_of=as_of))
    try:
        check_landing(landing)
    except LandingError as exc:
        raise UserError(str(exc)) from None
    engines = [duckdb_engine(args.out / "duckdb" / "warehouse.duckdb")]  # the reference
    if args.postgres:
        engines.append(postgres_engine(args.postgres, args.out / "postgresql" / args.postgres.name))
    if args.spark:
        engines.append(spark_engine(args.out / "spark"))
    sample = engine_compare.Sample(landing, as_of, args.config)
    try:
        builds = [engine_compare.build(engine, sample) for engine in engines]
    except (LandingError, WarehouseError) as exc:
        raise UserError(str(exc)) from None
    compared = {}
    if all(b.ok for b in builds):
        for other in engines[1:]:
            compared[other.name] = engine_compare.compare(engines[0], other)
    lines = engine_compare.report(builds, compared)
    print("\n".join(lines))
    report = args.out / "report.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    source = f"--landing {args.landing}" if args.landing else f"--size {size} --seed {seed}"
    source += f" --as-of {args.as_of}" if args.as_of else ""
    options = (f"--postgres {args.postgres} " if args.postgres else "") + (
        "--spark " if args.spark else ""
    )
    command = f"amicable compare-engines {options}{source} --out {args.out}"
    report.write_text(
        f"# Engine comparison\n\n`{command}` (landing {landing}, as of {as_of})\n\n```\n"
        + "\n".join(lines)
        + "\n```\n",
        encoding="utf-8",
    )
    print(f"report written to {report}")
    return 0 if engine_compare.all_equal(builds, compared) else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboards.access import OPEN_ENV, USERS_ENV, UsersFileError, load_users
    from dashboards.queries import WarehouseUnavailable, check_reachable
    from orchestration.publish import published_path

    if isinstance(args.warehouse, PostgresWarehouse):
        try:
            check_reachable(args.warehouse)
        except WarehouseUnavailable as exc:
            raise UserError(f"cannot serve {args.warehouse}: {exc.detail}") from None
        served = location(args.warehouse)
    elif not args.warehouse.is_file():
        raise UserError(f"no warehouse at {args.warehouse}: run `amicable build` first")
    else:  # the path, not the slot it links to: each query opens the build published then
        served = str(published_path(args.warehouse))
    env = os.environ | {WAREHOUSE_ENV: served}
    public = not _is_loopback(args.host)
    if args.open:
        if public and not args.allow_insecure_public:
            raise UserError(
                f"refusing --open on {args.host}: everyone who reaches it is admin; serve on "
                "127.0.0.1 or add --allow-insecure-public"
            )
        env[OPEN_ENV] = "1"
        print("open access: no sign-in, everyone is admin", flush=True)
    else:
        try:
            users = load_users(args.users)
        except UsersFileError as exc:
            raise UserError(f"{exc} (or serve with --open for local single-user access)") from None
        if public and not args.allow_insecure_public:
            demo = _with_demo_password(users)
            if demo:
                raise UserError(
                    f"refusing to serve on {args.host}: {', '.join(demo)} in {args.users} sign in "
                    f"with the published demo password; change it (`amicable users add`) or add "
                    "--allow-insecure-public"
                )
        env[USERS_ENV] = str(args.users.resolve())
        env.pop(OPEN_ENV, None)
    command = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_SERVER)]
    command += ["--server.address", args.host, "--server.port", str(args.port)]
    command += ["--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    shown = "localhost" if not public else args.host
    print(f"dashboard: http://{shown}:{args.port}  (Ctrl+C to stop)", flush=True)
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _with_demo_password(users: dict) -> list[str]:
    """The users whose password is the published demo password."""
    import bcrypt

    return [
        name
        for name, user in users["credentials"]["usernames"].items()
        if bcrypt.checkpw(DEMO_PASSWORD.encode(), user["password"].encode())
    ]


def cmd_users(args: argparse.Namespace) -> int:
    from dashboards.access import UsersFileError, add_user, check_role, load_users

    try:
        if args.users_command == "list":
            users = load_users(args.users)["credentials"]["usernames"]
            for username, user in users.items():
                agent = f"  agent {user['agent_id']}" if user.get("agent_id") else ""
                print(f"{username}  {user['roles'][0]}  {user.get('name', '')}{agent}")
            return 0
        # everything is checked before the password is asked for
        check_role(args.role, args.agent_id)
        if args.agent_id:
            _check_agent(args.agent_id, args.warehouse)
        if args.users.exists():
            load_users(args.users)
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass(f"password for {args.username}: ")
            if getpass.getpass("again: ") != password:
                raise UserError("the two passwords differ")
        saved_as = add_user(
            args.users,
            args.username,
            args.role,
            password,
            name=args.name,
            email=args.email,
            agent_id=args.agent_id,
        )
    except UsersFileError as exc:
        raise UserError(str(exc)) from None
    print(f"{saved_as} ({args.role}) saved in {args.users}")
    return 0


def _check_agent(agent_id: str, warehouse: Path | PostgresWarehouse) -> None:
    """An agent user sees the cases of their agent id: refuse one the warehouse (a DuckDB file
    or a PostgreSQL database) does not know (that user would see nothing), and refuse to guess
    when there is no warehouse yet."""
    table = "staging.stg_cases__agents"
    if isinstance(warehouse, Path) and not warehouse.is_file():
        raise UserError(
            f"cannot check agent {agent_id!r}: no warehouse at {warehouse} (run `amicable "
            "build` first, or give --warehouse)"
        )
    import duckdb
    import psycopg2

    from dashboards.postgres import first_line

    try:
        with _reading(warehouse) as con:
            known = [
                r[0] for r in con.execute(f"select agent_id from {table} order by 1").fetchall()
            ]
    except (duckdb.Error, psycopg2.Error) as exc:
        raise UserError(
            f"cannot check agent {agent_id!r} in {warehouse}: {first_line(exc)}"
        ) from None
    if agent_id not in known:
        examples = ", ".join(known[:3]) + (", ..." if len(known) > 3 else "")
        raise UserError(
            f"unknown agent {agent_id!r}: not among the {len(known)} agents of {table} in "
            f"{warehouse} ({examples or 'none'})"
        )


def cmd_demo(args: argparse.Namespace) -> int:
    if not args.landing.exists() or not any(args.landing.iterdir()):
        cmd_generate(argparse.Namespace(size="demo", seed=7, out=args.landing, as_of=None))
    status = cmd_build(args)
    if status != 0:
        return status
    _demo_scores(args.warehouse)
    if args.no_serve:
        return status
    if not args.open and not args.users.exists():
        _demo_users(args.users)
    return cmd_serve(args)


DEMO_PASSWORD = "amicable-demo"


def _demo_scores(warehouse: Path) -> None:
    """Train every score on the demo's build and score its open cases, so the work queue is not
    empty; a score that cannot be trained is one line and the demo goes on. The build's own
    report has just said that no score has a model yet: the first line says what comes now."""
    print("training the case scores on this build (the demo does `amicable scores train`):")
    try:
        lines, _ = _train_scores(warehouse, list(SCORES), skip_short=True)
    except UserError as exc:
        lines = [f"case scores not trained: {exc}"]
    print("\n".join(lines))


def _demo_users(path: Path) -> None:
    """One sample user per role, all with the demo password (printed, never for real data)."""
    from dashboards.access import ROLES, add_user

    for role in ROLES:
        agent_id = "AG002" if role == "agent" else None  # owns cases in the sample
        add_user(path, role, role, DEMO_PASSWORD, name=f"Demo {role}", agent_id=agent_id)
    print(
        f"demo users written to {path}: sign in as {', '.join(ROLES)} "
        f"with the password {DEMO_PASSWORD!r} (sample data only)"
    )


def cmd_case_file(args: argparse.Namespace) -> int:
    import duckdb

    from amicable.case_file import CaseFileError, export_case_file, load_case_file
    from amicable.case_file.export_log import export_log_name

    user = _os_user()
    out = args.out or Path(f"case_file_{args.case}.{args.format}")
    try:
        with _reading(args.warehouse) as con:
            case_file = load_case_file(con, args.case)
        export = export_case_file(case_file, args.format, user, out, claimed_user=args.user)
    except CaseFileError as exc:
        raise UserError(str(exc)) from None
    except duckdb.Error as exc:
        raise _unreadable(args.warehouse, exc) from None
    log = export_log_name(case_file.provenance.warehouse)
    print(f"case file {args.case}: {len(case_file.records)} records written to {out}")
    claimed = f" (claims to be {args.user})" if args.user else ""
    print(f"sha256 {export.record.sha256}; export by {user}{claimed} logged in {log}")
    print(_scores_said(case_file))
    print(case_file.reconciliation.summary)
    return 0 if case_file.reconciliation.ok else 1


def _scores_said(case_file: CaseFile) -> str:
    """The case's scores, titled as information only (one line when there is none)."""
    from amicable.case_file import SCORES_TITLE, score_lines

    lines = score_lines(case_file)
    if case_file.scores.empty:
        return f"{SCORES_TITLE}: {lines[0]}"
    return "\n".join([f"{SCORES_TITLE}:", *(f"  {line}" for line in lines)])


@contextlib.contextmanager
def _reading(
    warehouse: Warehouse,
) -> Iterator[Connection]:
    """A read-only connection to `warehouse`'s published build, a DuckDB file or a PostgreSQL
    database (the dashboard's, `dashboards.queries.connect_read_only`); UserError in one line
    when it is not there, a build holds it, or it cannot be reached or read."""
    from dashboards.queries import WarehouseBusy, WarehouseUnavailable, connect_read_only

    if isinstance(warehouse, Path) and not warehouse.is_file():
        raise UserError(f"no warehouse at {warehouse}: run `amicable build` first")
    try:
        with connect_read_only(warehouse) as con:
            yield con
    except WarehouseBusy:
        raise UserError(
            f"cannot read the warehouse {warehouse}: a build is writing it; retry when the "
            "build ends"
        ) from None
    except WarehouseUnavailable as exc:
        raise UserError(f"cannot read the warehouse {warehouse}: {exc.detail}") from None


def _unreadable(warehouse: Warehouse, exc: Exception) -> UserError:
    """A warehouse a build holds, or not a DuckDB file."""
    detail = str(exc).strip().splitlines()[0]
    if "lock" in detail.lower():
        detail = "a build is writing it; retry when the build ends"
    return UserError(f"cannot read the warehouse {warehouse}: {detail}")


def cmd_statements(args: argparse.Namespace) -> int:
    import duckdb

    from amicable.statements import (
        StatementError,
        load_statements,
        statement_debtors,
        unknown_debtors,
        write_statement,
    )

    written = []
    try:
        with _reading(args.warehouse) as con:
            if args.segment is not None:
                chosen = statement_debtors(con, args.segment, args.as_of, args.from_date)
                debtors = list(chosen["debtor_id"])
            else:
                debtors = list(dict.fromkeys(args.debtor or _debtor_list(args.debtors)))
                unknown = unknown_debtors(con, debtors)
                if unknown:  # before writing anything
                    shown = ", ".join(map(repr, unknown[:5])) + (" ..." if unknown[5:] else "")
                    raise UserError(
                        f"{len(unknown)} debtor(s) with no invoice in the warehouse "
                        f"{args.warehouse}: {shown}; check the debtor ids"
                    )
            # each written as it is made (a segment can be large), read in batches
            for statement in load_statements(con, debtors, args.as_of, args.from_date):
                written.append(write_statement(statement, args.out))
    except StatementError as exc:
        raise UserError(str(exc)) from None
    except duckdb.Error as exc:
        raise _unreadable(args.warehouse, exc) from None
    except OSError as exc:
        where = exc.filename or args.out
        raise UserError(f"cannot write the statements to {where}: {exc.strerror}") from None
    if not written:
        print(f"no debtor of segment {args.segment} has an item open or moving in the period: "
              "nothing written")  # fmt: skip
        return 0
    print(
        f"{len(written)} statements of account ({statement.from_date} to {statement.as_of}) "
        f"written to {args.out}: a PDF and a CSV per debtor"
    )
    return 0


def _debtor_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read the debtor list {path}: {exc.strerror}") from None
    debtors = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    debtors = [debtor for debtor in debtors if debtor]
    if not debtors:
        raise UserError(f"the debtor list {path} names no debtor (one id a line)")
    return debtors


def cmd_docs(args: argparse.Namespace) -> int:
    from amicable.settings import run_files_dir
    from orchestration.dbt_assets import DbtBuildConfig
    from orchestration.dbt_docs import DocsFailed, generate_docs, serve_docs
    from orchestration.publish import published_path

    try:
        business = load_config(args.config).dbt_vars()
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if isinstance(args.warehouse, PostgresWarehouse):  # its local folder, as its builds'
        warehouse: Path | PostgresWarehouse = args.warehouse
        out = args.out or run_files_dir(default_data_dir() / args.warehouse.name) / "docs"
    else:
        warehouse = published_path(args.warehouse)
        out = args.out or run_files_dir(warehouse) / "docs"
    as_of = (args.as_of or today()).isoformat()
    try:
        catalog = generate_docs(warehouse, business, DbtBuildConfig(as_of=as_of), out)
    except DocsFailed as exc:
        raise UserError(str(exc)) from None
    types = f"column types from {warehouse}" if catalog else f"no warehouse at {warehouse}"
    print(f"dbt docs written to {out} ({types})")
    print(f"one file, no server needed: {out / 'static_index.html'}")
    if args.no_serve:
        return 0
    print(f"dbt docs: http://127.0.0.1:{args.port}  (Ctrl+C to stop)", flush=True)
    return serve_docs(out, args.port)


def cmd_alerts(args: argparse.Namespace) -> int:
    import duckdb
    import psycopg2

    from amicable import alerts
    from dashboards.postgres import first_line
    from orchestration.publish import WarehouseLocked, WarehouseSlotBusy

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    try:
        if args.dry_run:
            with _reading(args.warehouse) as con:
                outcome = alerts.plan(con, config)
        else:
            with _writing(args.warehouse) as (con, _):
                outcome = alerts.send(con, config)
    except (WarehouseLocked, WarehouseSlotBusy, WarehouseError) as exc:
        raise UserError(str(exc)) from None
    except duckdb.Error as exc:
        detail = str(exc).strip().splitlines()[0]
        raise UserError(f"cannot evaluate the alerts on {args.warehouse}: {detail}") from None
    except (psycopg2.Error, ValueError) as exc:  # ValueError: a statement sqlglot cannot translate
        detail = first_line(exc)
        raise UserError(f"cannot evaluate the alerts on {args.warehouse}: {detail}") from None
    print("\n".join(alerts.summary(outcome, dry_run=args.dry_run)))
    if args.dry_run:
        print("dry run: nothing sent, nothing recorded")
    return 1 if outcome.failed or outcome.unrecorded else 0


def cmd_scores(args: argparse.Namespace) -> int:
    """`scores train`: train, store and record each score, then score; `scores score`: score
    with the current models. A score without enough history is not trained (one line says why,
    with its counts; the others are). Exits 1 when a score has no current model."""
    names = (args.score or list(SCORES)) if args.scores_command == "train" else []
    lines, ok = _train_scores(args.warehouse, names, skip_short=True)
    print("\n".join(lines))
    return 0 if ok else 1


@contextlib.contextmanager
def _writing(warehouse: Path | PostgresWarehouse) -> Iterator[tuple[Connection, Path]]:
    """A connection that writes to `warehouse`'s published build under its build lock (no build
    writes it meanwhile: the case scores, the alerts sent), and the local path beside which
    its model files are kept (`amicable.scores.store.model_dir`): the DuckDB file, or for a
    PostgreSQL database the local folder of its builds (`<data dir>/<DB@HOST-PORT>`); on
    PostgreSQL the work is committed at the end of the block, none of it when it fails."""
    if isinstance(warehouse, PostgresWarehouse):
        from dashboards.postgres import writing
        from orchestration.pg_publish import build_lock

        with build_lock(warehouse), writing(warehouse) as con:
            yield con, default_data_dir() / warehouse.name
        return
    from amicable.alerts import locked_warehouse

    if not warehouse.is_file():
        raise UserError(f"no warehouse at {warehouse}: run `amicable build` first")
    with locked_warehouse(warehouse) as con:
        yield con, warehouse


def _train_scores(
    warehouse: Path | PostgresWarehouse, names: list[str], skip_short: bool = False
) -> tuple[list[str], bool]:
    """Train, store and record the scores `names` on the published `warehouse`, then score with
    every current model: (the lines to print, every score scored). A score without enough
    history stops it all, or with `skip_short` is one line (`score X not trained: why`; its
    "no model" line left out, but not the line of an earlier model that still scored) and the
    others go on; then not every score is said to be scored."""
    import duckdb
    import psycopg2

    from amicable.scores.run import score_all, train_and_save, trained_line
    from amicable.scores.training import NotEnoughHistory
    from dashboards.postgres import first_line
    from orchestration.publish import WarehouseLocked, WarehouseSlotBusy

    lines: list[str] = []
    skipped: list[str] = []
    try:
        with _writing(warehouse) as (con, local):
            for name in names:
                try:
                    trained, version = train_and_save(con, local, SCORES[name])
                except NotEnoughHistory as exc:
                    if not skip_short:
                        raise
                    skipped.append(name)
                    why = str(exc).removeprefix(f"{name}: ")
                    lines.append(f"score {name} not trained: {why}")
                    continue
                lines.append(trained_line(trained, version))
            scored = score_all(con)
    except NotEnoughHistory as exc:
        raise UserError(f"cannot train on {warehouse}: {exc}") from None
    except (WarehouseLocked, WarehouseSlotBusy, WarehouseError) as exc:
        raise UserError(str(exc)) from None
    except duckdb.Error as exc:
        detail = str(exc).strip().splitlines()[0]
        raise UserError(f"cannot score on {warehouse}: {detail}") from None
    except (psycopg2.Error, ValueError) as exc:  # ValueError: a statement sqlglot cannot translate
        raise UserError(f"cannot score on {warehouse}: {first_line(exc)}") from None
    for result in scored:
        if result.score not in skipped:
            lines.append(result.line)
        elif result.scored:  # an earlier model of a score this training could not replace
            lines.append(f"{result.line} (with its previous model: this training fell short)")
    return lines, all(result.scored for result in scored) and not skipped


def cmd_dagster(args: argparse.Namespace) -> int:
    from orchestration.build import write_instance_config
    from orchestration.publish import published_path

    warehouse = published_path(args.warehouse).resolve()
    home = write_instance_config(warehouse)
    env = os.environ | {"DAGSTER_HOME": str(home), WAREHOUSE_ENV: str(warehouse)}
    command = [sys.executable, "-m", "dagster", "dev", "-m", "orchestration.definitions"]
    command += ["--host", "127.0.0.1", "--port", str(args.port)]
    print(
        f"Dagster UI: http://127.0.0.1:{args.port}  (instance {home}; Ctrl+C to stop)", flush=True
    )
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        raise UserError(
            "cannot tell which OS user is exporting (no user name for this uid)"
        ) from None


COMMANDS = {
    "generate": cmd_generate,
    "sample-db": cmd_sample_db,
    "import": cmd_import,
    "build": cmd_build,
    "compare-engines": cmd_compare_engines,
    "serve": cmd_serve,
    "users": cmd_users,
    "demo": cmd_demo,
    "case-file": cmd_case_file,
    "statements": cmd_statements,
    "docs": cmd_docs,
    "alerts": cmd_alerts,
    "scores": cmd_scores,
    "dagster": cmd_dagster,
}


def main(argv: list[str] | None = None) -> int:
    args, unknown = _parser().parse_known_args(argv)
    if unknown:  # argparse would blame the top-level command; name the subcommand's usage
        args.usage_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"amicable: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug or an environment problem: one line, traceback on demand
        if os.environ.get(DEBUG_ENV):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"amicable: unexpected error: {type(exc).__name__}: {first} "
            f"(set {DEBUG_ENV}=1 for the traceback)",
            file=sys.stderr,
        )
        if args.command in ("build", "demo"):
            print(
                f"amicable: the build stopped before the end: {_unfinished(args)}", file=sys.stderr
            )
        return 3


def _unfinished(args: argparse.Namespace) -> str:
    """What a build that stopped on an unexpected error left behind, by warehouse kind."""
    warehouse = getattr(args, "warehouse", None)
    if isinstance(warehouse, PostgresWarehouse | SparkWarehouse):
        return (
            "dbt writes this warehouse's live tables, so readers may see part of it "
            "until a build completes"
        )
    return "nothing was published, the warehouse and the dashboard keep the previous build"


if __name__ == "__main__":
    sys.exit(main())
