"""Run the whole build in-process and summarise it for the command line."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg
import duckdb

from amicable.alerts import ALERTS_TAG, SENT_BY_BUILD, AlertsOutcome
from amicable.alerts import send as send_alerts
from amicable.config import load_config
from amicable.settings import WAREHOUSE_ENV, Settings, dagster_home, run_files_dir
from data_quality.checks import suite_run_config
from data_quality.report import report_path, write_report
from data_quality.results import CheckRecord, append
from data_quality.source_checks import FRESHNESS_CHECK, SourceCheckRunConfig
from ingestion.load import check_landing, quarantine_messages
from orchestration.dbt_assets import DbtBuildConfig
from orchestration.definitions import BUILD_JOB, build_definitions
from orchestration.event_log import history_connections_reused, write_history_without_fsync
from orchestration.publish import published_path, rejected_path, staged_build


@dataclass(frozen=True)
class SourceLine:
    source_table: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    files_rejected: int


@dataclass(frozen=True)
class CheckLine:
    """One check of the run, as recorded in `quality.check_results`."""

    asset: str
    check: str
    status: str  # pass, warn (flags rows or warns), fail (blocks publication), skipped
    blocking: bool  # can block publication (data_quality.policy: level blocking or row)
    from_dbt: bool
    description: str = ""
    failing_keys: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class BuildOutcome:
    run_success: bool
    sources: list[SourceLine] = field(default_factory=list)
    checks: list[CheckLine] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    skipped_steps: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)  # first lines, see quarantine_total
    quarantine_total: int = 0
    report: Path | None = None  # the data-quality report of this run (data_quality.report)
    rejected: Path | None = None  # where the build is kept when it was not published
    run_id: str = ""  # the Dagster run
    alerts: AlertsOutcome | None = None  # what the alerts after the build sent (amicable.alerts)
    scores: list[str] = field(default_factory=list)  # one line per case score (amicable.scores)

    @property
    def failed_blocking_checks(self) -> list[CheckLine]:
        """The checks that block publication (status `fail`)."""
        return [c for c in self.checks if c.status == "fail"]

    @property
    def ok(self) -> bool:
        """Every step ran and no check blocks publication: the build is published."""
        return self.run_success and not self.failed_blocking_checks


def run_config(settings: Settings, log_level: str = "WARNING") -> dict:
    config = DbtBuildConfig(
        as_of=settings.as_of.isoformat(),
        reporting_currency=settings.reporting_currency,
        full_refresh=settings.full_refresh,
    )
    freshness = SourceCheckRunConfig(as_of=settings.as_of.isoformat())
    return {
        "ops": {
            "dbt_models": {"config": config.model_dump()},
            FRESHNESS_CHECK: {"config": freshness.model_dump()},
            **suite_run_config(settings.full_refresh),
        },
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def build_log_path(settings: Settings) -> Path:
    return run_files_dir(settings.warehouse) / "last_build.log"


# The instance's settings, written once per instance: no telemetry; no compute-log capture (a
# CLI build writes its own log, `build_log_path`, and capture would tee the terminal).
INSTANCE_YAML = """\
# amicable's Dagster instance for one warehouse (orchestration.build.dagster_instance)
telemetry:
  enabled: false
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
"""


def write_instance_config(warehouse: Path) -> Path:
    """The warehouse's Dagster home (`amicable.settings.dagster_home`), with its `dagster.yaml`
    written if absent (an existing one is the operator's and is kept)."""
    home = dagster_home(warehouse)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    return home


def dagster_instance(warehouse: Path) -> dg.DagsterInstance:
    """The warehouse's persistent Dagster instance, shared by its builds and `amicable
    dagster`; written without fsync (`orchestration.event_log`)."""
    write_history_without_fsync()
    return dg.DagsterInstance.from_config(str(write_instance_config(warehouse)))


def run_build(settings: Settings, instance: dg.DagsterInstance | None = None) -> BuildOutcome:
    """Materialise every asset and run every check, in this process.

    The build writes the warehouse's unpublished slot and publishes it atomically when the run
    is over (`orchestration.publish`), so the dashboard keeps reading the last build meanwhile.
    Every asset and every check runs whatever the checks find; a run with a failed step or a
    check that blocks publication (`data_quality.policy`) is not published but kept as
    `<warehouse>.rejected` (`BuildOutcome.rejected`).
    Before the slot is published (or kept apart) its alerts are sent and recorded in it
    (`amicable.alerts`, `BuildOutcome.alerts`): a rejected build sends only its blocking
    checks.
    dbt's output and Dagster's log (with any stack trace) go to `build_log_path(settings)`;
    the caller prints the `BuildOutcome` (sources, checks, one line per failure).
    The run, its materialisations and its check evaluations are recorded in the warehouse's
    Dagster instance (`dagster_instance`, opened once the warehouse is locked), which
    `amicable dagster` shows; an `instance` given is used instead and stays open for the
    caller.
    """
    check_landing(settings.landing)  # fails early, in one line, on a missing folder
    live = published_path(settings.warehouse)
    outcome: BuildOutcome | None = None
    with (
        staged_build(live, lambda: outcome is not None and outcome.ok) as staging,
        contextlib.nullcontext(instance) if instance else dagster_instance(live) as run_instance,
        history_connections_reused(),
    ):
        staged = replace(settings, warehouse=staging)
        outcome = _run(staged, build_log_path(settings), run_instance)
        _alerts(staging, settings, outcome)
        _scores(staging, outcome)
    os.environ[WAREHOUSE_ENV] = str(live)
    if not outcome.ok:
        outcome.rejected = rejected_path(live)
    return outcome


def _alerts(slot: Path, settings: Settings, outcome: BuildOutcome) -> None:
    """Send the alerts of the build in `slot` before it is published (`amicable.alerts`): every
    rule when the build may be published, only the blocking data-quality checks when not."""
    config = load_config(settings.config)
    if not config.alerts.send_after_build or not outcome.run_id:
        return
    rules = None if outcome.ok else ["data_quality_blocking"]
    try:
        with duckdb.connect(str(slot)) as con:
            outcome.alerts = send_alerts(con, config, outcome.run_id, rules)
    except duckdb.Error as exc:  # a failed run may leave no marts to read
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        outcome.alerts = AlertsOutcome(failed=[f"every recipient: rules not evaluated: {detail}"])


def _scores(slot: Path, outcome: BuildOutcome) -> None:
    """Score the open cases of a build that may be published with each current model, before
    it is published; a missing or stale model is one line of the outcome, never used
    (`amicable.scores`)."""
    if not outcome.ok:
        return
    from amicable.scores.run import score_all

    try:
        with duckdb.connect(str(slot)) as con:
            outcome.scores = [result.line for result in score_all(con, outcome.run_id)]
    except (duckdb.Error, ValueError, OSError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        outcome.scores = [f"case scores not computed: {detail}"]


def _run(settings: Settings, log: Path, instance: dg.DagsterInstance) -> BuildOutcome:
    os.environ[WAREHOUSE_ENV] = str(settings.warehouse)  # read by dbt's profiles.yml
    defs = build_definitions(settings)
    dbt_checks = defs.resolve_assets_def(dg.AssetKey(["marts", "fct_ar_ageing"])).check_keys
    log.parent.mkdir(parents=True, exist_ok=True)
    with (
        log.open("w", encoding="utf-8") as log_file,
        contextlib.redirect_stdout(log_file),
        contextlib.redirect_stderr(log_file),
    ):
        result = defs.resolve_job_def(BUILD_JOB).execute_in_process(
            run_config=run_config(settings),
            instance=instance,
            raise_on_error=False,
            tags={ALERTS_TAG: SENT_BY_BUILD},  # the sensor leaves its alerts to `_alerts`
        )
    outcome = summarise(result)
    outcome.run_id = result.run_id
    not_run = checks_not_run(defs, result, dbt_checks)
    try:
        with duckdb.connect(str(settings.warehouse)) as con:
            if not_run:
                append(con, not_run, result.run_id)
            outcome.checks = recorded_checks(con, result.run_id, dbt_checks)
            outcome.quarantined, outcome.quarantine_total = quarantine_messages(con, result.run_id)
            outcome.report = write_report(con, report_path(settings.warehouse), result.run_id)
    except (duckdb.Error, OSError) as exc:  # a failed run may leave no warehouse
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        outcome.errors.append(f"quarantine not listed or quality report not written: {detail}")
    return outcome


def checks_not_run(
    defs: dg.Definitions,
    result: dg.ExecuteInProcessResult,
    dbt_checks: AbstractSet[dg.AssetCheckKey],
) -> list[CheckRecord]:
    """The data-quality checks the run never evaluated (a step before them failed), as
    `skipped` rows, so the report and the health page show them instead of a clean list.
    dbt's own tests are recorded by the dbt step (`orchestration.dbt_results`)."""
    graph = defs.resolve_asset_graph()
    evaluated = {e.asset_check_key for e in result.get_asset_check_evaluations()}
    skipped = sorted(
        graph.asset_check_keys - evaluated - set(dbt_checks), key=lambda k: k.to_user_string()
    )
    return [
        CheckRecord(
            check_name=key.name,
            asset=key.asset_key.to_user_string(),
            status="skipped",
            blocking=(graph.get_check_spec(key).metadata or {}).get("level") != "warning",
            failing_count=0,
            description="not run: a step it depends on failed",
        )
        for key in skipped
    ]


def _first_line(error: object) -> str:
    """A step error's first line without its exception class (`module.Class: text` -> text);
    for an exception raised by the asset's own code, its line, not Dagster's wrapper's
    (`Error occurred while executing op ...`)."""
    cause = getattr(error, "cause", None)
    if getattr(error, "cls_name", None) == "DagsterExecutionStepExecutionError" and cause:
        error = cause
    message = str(getattr(error, "message", "")).strip()
    line = message.splitlines()[0] if message else "?"
    head, separator, text = line.partition(": ")
    cls_name = getattr(error, "cls_name", None)
    return text if separator and cls_name and head.endswith(cls_name) else line


def recorded_checks(
    con: duckdb.DuckDBPyConnection, run_id: str, dbt_checks: AbstractSet[dg.AssetCheckKey]
) -> list[CheckLine]:
    """Every check of run `run_id` as recorded in `quality.check_results` (the one record of
    what each check found and whether it blocks); `dbt_checks`: the check keys that are dbt
    tests."""
    dbt_names = {(k.asset_key.to_user_string(), k.name) for k in dbt_checks}
    rows = con.execute(
        "select asset, check_name, status, blocking, description, failing_keys"
        " from quality.check_results where run_id = ? order by asset, check_name",
        [run_id],
    ).fetchall()
    return [
        CheckLine(
            asset=asset,
            check=check,
            status=status,
            blocking=bool(blocking),
            from_dbt=(asset, check) in dbt_names,
            description=description or "",
            failing_keys=tuple(json.loads(keys or "[]")),
        )
        for asset, check, status, blocking, description, keys in rows
    ]


def summarise(result: dg.ExecuteInProcessResult) -> BuildOutcome:
    """Sources and failed or skipped steps of the run (its checks: `recorded_checks`)."""
    outcome = BuildOutcome(run_success=result.success)
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization  # type: ignore[union-attr]
        meta = mat.metadata
        if mat.asset_key.path[0] == "raw" and "rows_read" in meta:
            outcome.sources.append(
                SourceLine(
                    source_table=mat.asset_key.path[-1],
                    rows_read=meta["rows_read"].value,
                    rows_loaded=meta["rows_loaded"].value,
                    rows_quarantined=meta["rows_quarantined"].value,
                    files_rejected=meta["files_rejected"].value,
                )
            )
    for event in result.get_step_failure_events():
        outcome.failed_steps.append(event.step_key or "?")
        error = event.event_specific_data.error  # type: ignore[union-attr]
        if error is not None:
            outcome.errors.append(_first_line(error))
    outcome.skipped_steps = [e.step_key or "?" for e in result.get_step_skipped_events()]
    return outcome
