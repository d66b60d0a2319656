"""The dbt project as Dagster assets (dagster-dbt), and the manifest they are built from."""

import contextlib
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from amicable import progress
from amicable.settings import DBT_PROJECT_DIR, WAREHOUSE_ENV, run_files_dir, today
from dashboards.postgres import Connection
from data_quality import sql_scope, tested_marks
from data_quality.outcomes import record_results
from data_quality.resources import BusinessConfig, WarehouseResource
from orchestration.dbt_results import (
    check_records,
    failure_summary,
    model_rows,
    restricted_failures,
    with_failing_keys,
)
from orchestration.incremental import BUILD_VALUES, build_fingerprint, full_refresh_reason


class DbtBuildConfig(dg.Config):
    """Run options passed to dbt (as vars, or in the environment: `build_environment`); empty
    means: today (`amicable.settings.today`, UTC), the configuration's currency."""

    as_of: str = ""
    reporting_currency: str = ""
    full_refresh: bool = False


# The profile's DuckDB output: a build ingests into, checks and publishes a DuckDB file, so dbt
# builds that file whatever AMICABLE_DBT_TARGET says (a build on a PostgreSQL warehouse runs
# its own dbt on the `postgres` output: orchestration.pg_build).
DBT_TARGET = "dev"


def dbt_executable() -> str:
    """The `dbt` next to this interpreter, so the venv's dbt runs even when not on PATH."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def dbt_vars(config: DbtBuildConfig, business: dict, run_id: str = "") -> dict[str, Any]:
    """dbt's vars: the thresholds, the as-of date (always given: dbt never picks its own
    "today"), the reporting currency and the Dagster run id (read by `marts.dim_build`)."""
    values = dict(business)
    if config.reporting_currency:
        values["reporting_currency"] = config.reporting_currency
    values["as_of"] = config.as_of or today().isoformat()
    if run_id:
        values["run_id"] = run_id
    return values


def incremental_vars(
    warehouse: WarehouseResource, values: dict[str, Any], asked: bool
) -> tuple[dict[str, Any], list[str]]:
    """`values` plus the build's fingerprint and the reason for a full refresh (both
    published in `marts.dim_build`), and the extra dbt arguments (`--full-refresh` or none):
    `orchestration.incremental` says when a build cannot be incremental."""
    fingerprint = build_fingerprint(_project_files(DBT_PROJECT_DIR), DBT_PROJECT_DIR, values)
    as_of = date.fromisoformat(values["as_of"])
    with warehouse.connect(read_only=True) as con:
        reason = full_refresh_reason(con, fingerprint, as_of, asked)
    values = {**values, "build_fingerprint": fingerprint, "full_refresh_reason": reason}
    return values, (["--full-refresh"] if reason else [])


DBT_TESTS = "dbt_data_tests.staging"  # their record in quality.raw_validations (sql_scope)


def tested_rows(con: Connection, values: dict[str, Any]) -> tuple[dict[str, Any], sql_scope.Plan]:
    """`values` with var `tested_batches` when the tests of the incremental staging models may
    read only the rows of the batches loaded since the data tests last all passed
    (`macros/get_where_subquery.sql`, `data_quality.sql_scope`: every row on a full refresh,
    a first build, or after a failure), and the plan; `con`: a connection to the warehouse on
    either engine. Given to `dbt run` too (in the environment, `build_environment`), which
    does not read it."""
    read = sql_scope.plan_for(
        con, DBT_TESTS, values["build_fingerprint"], values["full_refresh_reason"]
    )
    if read.scope is None:
        return values, read
    return {**values, "tested_batches": list(read.scope.batches)}, read


def written_rows(warehouse: WarehouseResource, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with var `tested_marks` when the tests of the incremental models that stamp
    their rows with `loaded_at` may read only the rows written since they last all passed in
    this slot (`data_quality.tested_marks`; every row on a full refresh or without a mark);
    the slot's marks are unsettled until this build records its tests."""
    with warehouse.connect() as con:
        marks = tested_marks.for_build(con, values["full_refresh_reason"])
    return {**values, "tested_marks": marks} if marks else values


Store = Callable[[duckdb.DuckDBPyConnection, str], None]


def stores(*writers: Store | None) -> Store:
    """One `store` for `record_results` (one transaction) writing each of `writers`."""

    def write(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        for writer in writers:
            if writer is not None:
                writer(con, run_id)

    return write


BUILD_VALUE_ENV = "AMICABLE_BUILD_"  # + the name in capitals; read by macros/build_value.sql
# dbt's file log (`dbt.log`, every debug event; kept with the artifacts when dbt fails) as
# plain lines: dagster-dbt's DBT_LOG_FORMAT=json would make it JSON too, 6 times the bytes
# for 6 to 14 % more of dbt's CPU (benchmarks/results/dbt_file_log_tiny.md).
FILE_LOG = {"DBT_LOG_FORMAT_FILE": "debug"}


def build_environment(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """`values` split into dbt's vars (the configuration's, the same from one build to the
    next) and the environment dbt runs with: the variables `AMICABLE_BUILD_<NAME>` (JSON)
    holding the build's own values (`BUILD_VALUES`), which `macros/build_value.sql` reads while
    dbt executes (dbt re-parses the whole project when a var changes, 10 CPU s instead of 6 on
    `tiny`, and ignores an environment variable that no file reads while parsing), each one
    this build does not give set empty (the macro's "not given"), so that a value left in the
    caller's environment cannot reach dbt; and the file log's format (`FILE_LOG`)."""
    variables = {k: v for k, v in values.items() if k not in BUILD_VALUES}
    env = {
        BUILD_VALUE_ENV + k.upper(): json.dumps(values[k]) if k in values else ""
        for k in BUILD_VALUES
    }
    return variables, env | FILE_LOG


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    """`env` set in this process (dagster-dbt passes its environment to dbt), then restored."""
    before = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


PARSE_STATE = "partial_parse.msgpack"


def parse_state(warehouse: Path) -> Path:
    """Where dbt's parse of the project for builds into `warehouse` (a slot,
    `orchestration.publish`) is kept between builds, so the next build into it parses only
    what changed: one per slot, as the profile's path (the slot) is part of what dbt checks
    before reusing a parse. dbt itself decides whether the kept parse still holds (project
    files, vars, profile, dbt's version)."""
    return run_files_dir(warehouse) / "dbt_parse" / warehouse.name / PARSE_STATE


def restore_parse(warehouse: Path, target: Path) -> None:
    kept = parse_state(warehouse)
    if kept.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, target / PARSE_STATE)


def keep_parse(warehouse: Path, target: Path) -> None:
    written = target / PARSE_STATE
    if written.exists():
        kept = parse_state(warehouse)
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(written, kept.with_suffix(".tmp"))
        kept.with_suffix(".tmp").replace(kept)


def dbt_run_models(warehouse: Path, select: str, as_of: str = "") -> None:
    """`dbt run --select <select>` on the DuckDB file `warehouse`, outside any build (the
    benchmarks build the models they time this way); dbt's artifacts go to a temporary folder.
    Raises `subprocess.CalledProcessError` when dbt fails."""
    with tempfile.TemporaryDirectory() as work:
        command = [
            dbt_executable(), "run", "--quiet", "--select", select, "--target", DBT_TARGET,
            "--vars", json.dumps({"as_of": as_of or today().isoformat()}),
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(Path(work) / "target"), "--log-path", str(Path(work) / "logs"),
        ]  # fmt: skip
        env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
        subprocess.run(command, env=env, check=True)


def _project_files(project_dir: Path) -> list[Path]:
    folders = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
    files = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in folders:
        files += [p for p in (project_dir / folder).rglob("*") if p.is_file()]
    return [p for p in files if p.exists()]


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse` when target/manifest.json is missing or older than a project file.

    dbt writes the manifest in place, so the parse runs in a folder of its own under target/
    (dbt's partial-parse state copied in and back) and the manifest is moved into place whole:
    a process that reads it while another parses (a build beside the Dagster UI, two test
    workers) reads the old manifest or the new one, never half of one."""
    target = project_dir / "target"
    manifest = target / "manifest.json"
    newest = max(p.stat().st_mtime for p in _project_files(project_dir))
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    target.mkdir(exist_ok=True)
    state = target / "partial_parse.msgpack"
    with tempfile.TemporaryDirectory(prefix=".parse-", dir=target) as scratch:
        work = Path(scratch)
        if state.exists():
            shutil.copyfile(state, work / state.name)
        cmd = [dbt_executable(), "parse", "--project-dir", str(project_dir)]
        cmd += ["--profiles-dir", str(project_dir), "--target", DBT_TARGET, "--quiet"]
        cmd += ["--target-path", str(work), "--log-path", str(work)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            log = target / "dbt_parse_failed.log"
            if (work / "dbt.log").exists():
                shutil.copyfile(work / "dbt.log", log)
                detail.append(f"(dbt's full log: {log})")
            raise RuntimeError("dbt parse failed:\n" + "\n".join(detail))
        if (work / state.name).exists():
            (work / state.name).replace(state)
        (work / "manifest.json").replace(manifest)
    return manifest


class SchemaKeyTranslator(DagsterDbtTranslator):
    """Models keyed `[schema, model]` (`marts/fct_ar_ageing`) and grouped by their schema, the
    layer (`staging`, `intermediate`, `marts`: one schema per folder in `dbt_project.yml`),
    sources `[source, table]`; dbt tests as non-blocking asset checks (a failed test must not
    fail the dbt step: whether it blocks publication is decided from its level,
    `orchestration.dbt_results.check_records`)."""

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: Any,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return spec._replace(blocking=False) if spec is not None else None

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            schema = dbt_resource_props.get("config", {}).get("schema") or "main"
            return dg.AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("config", {}).get("schema") or super().get_group_name(
            dbt_resource_props
        )


def build_dbt_assets(manifest: Path) -> dg.AssetsDefinition:
    @dbt_assets(manifest=manifest, name="dbt_models", dagster_dbt_translator=SchemaKeyTranslator())
    def _dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        business: BusinessConfig,
        warehouse: WarehouseResource,
        config: DbtBuildConfig,
    ):
        """Staging, intermediate and mart models, then every dbt data test (as asset checks,
        recorded in `quality.check_results`). `dbt run` then `dbt test`, not `dbt build`: a
        failing test must not skip the models downstream of it, so that one build reports
        every problem; whether a failure blocks publication is the test's level
        (`orchestration.dbt_results.dbt_test_level`, `data_quality.policy`): a blocking test
        blocks, a row-level one flags its rows and blocks above the share of bad rows. dbt's
        unit tests are code tests: they run in the test suite, not in production builds.
        dbt's artifacts go to `logs/<warehouse name>/dbt/` next to the warehouse: emptied
        before each run, removed after a good one, kept (and named in the failure) after a
        failed one. The build's own values reach dbt in the environment, not as vars, and dbt's
        parse is kept per slot between builds (`build_environment`, `parse_state`): a daily
        build re-parses only the files that changed."""
        values = dbt_vars(config, business.dbt_vars(), context.run_id)
        values, refresh = incremental_vars(warehouse, values, config.full_refresh)
        with warehouse.connect(read_only=True) as con:
            values, read = tested_rows(con, values)
        values = written_rows(warehouse, values)
        config_vars, build_env = build_environment(values)
        variables = ["--vars", json.dumps(config_vars, sort_keys=True)]
        target = run_files_dir(Path(warehouse.path)) / "dbt"
        shutil.rmtree(target, ignore_errors=True)  # a previous failed run's
        restore_parse(Path(warehouse.path), target)
        with environment(build_env):
            models = dbt.cli(
                ["run", *refresh, *variables],
                context=context,
                raise_on_error=False,
                target_path=target,
            )
        total = len(context.selected_asset_keys)
        reason = values["full_refresh_reason"]
        kind = f"full refresh: {reason}" if reason else "incremental: what new files touch"
        progress.step(f"dbt: building {total} models ({kind})")
        built = 0
        for event in models.stream():
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                built += 1
                progress.step(f"dbt model {built} of {total}: {event.output_name}")
            yield event
        run_results = models.get_artifact("run_results.json")
        with environment(build_env):
            tests = dbt.cli(
                ["test", "--exclude-resource-type", "unit_test", *variables],
                context=context,
                raise_on_error=False,
                target_path=target,
            )
        progress.step(f"dbt: running the data tests (staging: {sql_scope.describe(read)})")
        yield from tests.stream()
        keep_parse(Path(warehouse.path), target)
        test_results = tests.get_artifact("run_results.json")
        progress.step(f"dbt: {len(test_results.get('results', []))} data tests run")
        manifest = tests.get_artifact("manifest.json")
        max_share = business.config().quality.max_failing_row_share
        restricted = "" if read.scope is None else sql_scope.describe(read)
        with warehouse.connect(read_only=True) as con:
            rows = functools.partial(model_rows, con)
            records = check_records(
                test_results, manifest, max_share, rows, restricted, values.get("tested_marks")
            )
            records = with_failing_keys(con, records, test_results)
        failed = restricted_failures(test_results, manifest)
        marks = tested_marks.store(tested_marks.verdicts(test_results, manifest))
        validation = sql_scope.validation(read, failed).store if models.is_successful() else None
        record_results(warehouse, records, context.run_id, store=stores(marks, validation))
        if not models.is_successful():
            summary = failure_summary(run_results, manifest)
            raise dg.Failure(description=f"{summary}. dbt's artifacts and log: {target}")
        shutil.rmtree(target, ignore_errors=True)

    return _dbt_models


def dbt_resource(project_dir: Path = DBT_PROJECT_DIR) -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(project_dir),
        profiles_dir=str(project_dir),
        dbt_executable=dbt_executable(),
        target=DBT_TARGET,
    )
