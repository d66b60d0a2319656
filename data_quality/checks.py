"""The data-quality suites and SQL checks as Dagster asset checks (the per-source warnings
live in `data_quality.source_checks`).

What a failure does is decided in one place, `data_quality.policy`: a check fails with
severity ERROR only when it blocks publication of the build (status `fail`), and with severity
WARN when it only flags rows or warns. No check is declared blocking to Dagster: every asset
and every check runs in every build, so one build reports every problem; the build itself is
not published when a check has status `fail` (`orchestration.build`). The build job runs in one
process, one step at a time (`orchestration.definitions`), so a check never holds the DuckDB
file while dbt writes it. Every evaluation appends a row to `quality.check_results`.

A suite validates only the raw rows it has not validated yet and reports on the whole table
from the failures it keeps (`data_quality.runner`, `data_quality.validated`); with
`SuiteCheckConfig.full_refresh` (`amicable build --full-refresh`) it validates every row again.

In a suite, an expectation marked blocking that counts failing rows is row-level (it blocks
only above `quality.max_failing_row_share` of the table's rows); one that judges the table as
a whole (its row count) blocks on any failure.
"""

# No `from __future__ import annotations`: Dagster inspects the check's `context` annotation.
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import dagster as dg
import great_expectations as gx

from dashboards.postgres import Connection
from data_quality import sql_scope
from data_quality.outcomes import record_results, severity, sql_check_result, sql_record
from data_quality.policy import Level, share_text, verdict
from data_quality.results import CheckRecord
from data_quality.runner import ExpectationOutcome, SuiteOutcome, run_suite_on
from data_quality.source_checks import build_source_checks
from data_quality.sql_checks import SQL_CHECKS, SQL_CHECKS_BY_NAME
from data_quality.sqlcheck import SqlCheck, SqlOutcome
from data_quality.suites import SUITES
from data_quality.validated import Validation

MAX_LISTED = 20


class SuiteCheckConfig(dg.Config):
    """`full_refresh`: validate every row of the table again, not only the new batches
    (`amicable build --full-refresh`; `data_quality.runner`)."""

    full_refresh: bool = False


def expectation_level(result: ExpectationOutcome) -> Level:
    if not result.blocking:
        return "warning"
    return "row" if result.unexpected_count is not None else "blocking"


def expectation_status(result: ExpectationOutcome, row_count: int, max_share: float) -> str:
    """`pass`, `warn` or `fail` (blocks publication) for one expectation of a suite."""
    if result.success:
        return "pass"
    failing = result.unexpected_count if result.unexpected_count is not None else 1
    return verdict(expectation_level(result), max(failing, 1), row_count, max_share)


def _statuses(outcome: SuiteOutcome, max_share: float) -> list[tuple[ExpectationOutcome, str]]:
    return [(r, expectation_status(r, outcome.row_count, max_share)) for r in outcome.results]


def _failure_rows(outcome: SuiteOutcome, max_share: float) -> list[dict[str, object]]:
    return [
        {
            "expectation": r.name,
            "level": expectation_level(r),
            "status": state,
            "unexpected_count": r.unexpected_count,
            "sample_keys": list(r.failing_keys),
            "reason": r.reason,
            **({"error": r.error} if r.error else {}),
        }
        for r, state in _statuses(outcome, max_share)
        if state != "pass"
    ]


def _markdown(outcome: SuiteOutcome, max_share: float) -> str:
    lines = ["| expectation | result | failing rows | sample keys |", "|---|---|---|---|"]
    for r, state in _statuses(outcome, max_share):
        if state == "pass":
            continue
        result = "BLOCKS" if state == "fail" else "warning"
        count = "error: " + r.error if r.error else str(r.unexpected_count)
        sample = ", ".join(r.failing_keys[:5]).replace("|", "/")
        lines.append(f"| {r.name.replace('|', '/')} | {result} | {count} | {sample} |")
    return "\n".join(lines)


def suite_record(
    name: str, asset_key: dg.AssetKey, outcome: SuiteOutcome, max_share: float
) -> CheckRecord:
    """The `quality.check_results` row of a suite evaluation: `fail` when an expectation blocks
    publication, `warn` when some only flag rows; failing keys of blocking ones first."""
    statuses = _statuses(outcome, max_share)
    failed = [r for r, state in statuses if state == "fail"]
    flagged = [r for r, state in statuses if state == "warn"]
    status = "fail" if failed else "warn" if flagged else "pass"
    if status == "pass":
        description = f"all {len(outcome.results)} expectations passed on {outcome.table}"
    else:
        names = ", ".join(
            r.name
            + (
                f" [{share_text(r.unexpected_count, outcome.row_count, max_share)}]"
                if expectation_level(r) == "row" and r.unexpected_count is not None
                else ""
            )
            for r in failed + flagged
        )
        description = (
            f"{outcome.table}: {len(failed)} blocking and {len(flagged)} flagging "
            f"expectation(s) failed: {names}"
        )
    keys = [key for r in failed + flagged for key in r.failing_keys]
    return CheckRecord(
        check_name=name,
        asset=asset_key.to_user_string(),
        status=status,
        blocking=any(r.blocking for r in outcome.results),
        failing_count=sum(r.unexpected_count or 1 for r in failed + flagged),
        failing_keys=tuple(dict.fromkeys(keys)),
        description=description,
        details=_failure_rows(outcome, max_share),
    )


def check_result(outcome: SuiteOutcome, record: CheckRecord, max_share: float):
    """The Dagster result of a suite's `record` (pure: no Dagster context needed)."""
    statuses = _statuses(outcome, max_share)
    metadata: dict[str, dg.RawMetadataValue] = {
        "row_count": outcome.row_count,
        "rows_read": outcome.rows_read,
        "expectations": len(outcome.results),
        "blocking_failures": sum(state == "fail" for _, state in statuses),
        "warning_failures": sum(state == "warn" for _, state in statuses),
        "failing_rows_total": sum(r.unexpected_count or 0 for r in outcome.results),
        "read_seconds": round(outcome.read_seconds, 3),
        "validate_seconds": round(outcome.validate_seconds, 3),
    }
    if record.status != "pass":
        metadata["failures"] = dg.MetadataValue.json(record.details[:MAX_LISTED])
        metadata["failures_table"] = dg.MetadataValue.md(_markdown(outcome, max_share))
    return dg.AssetCheckResult(
        passed=record.status == "pass",
        severity=severity(record.status),
        metadata=metadata,
        description=record.description,
    )


def default_asset_key(suite: gx.ExpectationSuite) -> dg.AssetKey:
    """The raw asset `suite` is a check of (its meta's `asset_key`)."""
    return dg.AssetKey(list(suite.meta["asset_key"]))


def suite_check_name(table: str) -> str:
    """The check name of the suite on raw `table` (``schema.name``), on every engine."""
    return f"{table.replace('.', '_')}_suite"


def _max_share(context: dg.AssetCheckExecutionContext, config_key: str) -> float:
    return getattr(context.resources, config_key).config().quality.max_failing_row_share


def _make_check(
    table: str,
    suite_fn: Callable[[], gx.ExpectationSuite],
    asset_key: dg.AssetKey,
    resource_key: str,
    config_key: str,
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name=suite_check_name(table),
        required_resource_keys={resource_key, config_key},
        description=f"Great Expectations suite on {table}: {(suite_fn.__doc__ or '').strip()}",
        metadata={"table": table, "level": "row"},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, config: SuiteCheckConfig
    ) -> dg.AssetCheckResult:
        warehouse = getattr(context.resources, resource_key)
        with warehouse.connect(read_only=True) as con:
            outcome = run_suite_on(con, table, suite_fn(), full=config.full_refresh)
        context.log.info(
            f"{table}: {outcome.rows_read} of {outcome.row_count} rows read (new since the last"
            f" validation) in {outcome.read_seconds:.2f}s, validated in"
            f" {outcome.validate_seconds:.2f}s"
        )
        max_share = _max_share(context, config_key)
        record = suite_record(context.check_specs[0].name, asset_key, outcome, max_share)
        record_results(warehouse, [record], context.run.run_id, store=outcome.store)
        return check_result(outcome, record, max_share)

    return _check


def _make_sql_check(
    check: SqlCheck, resource_key: str, config_key: str
) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(list(check.asset))

    @dg.asset_check(
        asset=asset_key,
        name=check.name,
        additional_deps=[dg.AssetKey(list(d)) for d in check.deps],
        required_resource_keys={resource_key, config_key},
        description=f"{(check.run.__doc__ or check.name).strip()} ({check.level}: {check.reason})",
        metadata={"level": check.level},
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        warehouse = getattr(context.resources, resource_key)
        max_share = _max_share(context, config_key)
        with warehouse.connect(read_only=True) as con:
            evaluated = evaluate_sql_check(con, check, max_share)
        store = evaluated.validation.store
        record_results(warehouse, [evaluated.record], context.run.run_id, store=store)
        return sql_check_result(evaluated.record, evaluated.outcome, scope=evaluated.scope)

    return _check


@dataclass(frozen=True)
class SqlEvaluation:
    """A SQL check evaluated on a build: its outcome, its record, the rows it read (`scope`,
    as the report says it) and its evaluation to keep (`sql_scope.validation`)."""

    outcome: SqlOutcome
    record: CheckRecord
    scope: str
    validation: Validation


def evaluate_sql_check(con: Connection, check: SqlCheck, max_share: float) -> SqlEvaluation:
    """Run `check` over `con` (either engine) on the rows its plan reads (`sql_scope.plan`:
    the new ones on a daily build), judged at its level; a check that read a subset says so
    in its record's description."""
    read = sql_scope.plan(con, check)
    outcome = check.run(con, read.scope)
    asset = "/".join(check.asset)
    record = sql_record(check.name, asset, check.level, outcome, max_share)
    scope = sql_scope.describe(read)
    if read.scope is not None:
        record = replace(record, description=f"{record.description}; read: {scope}")
    validation = sql_scope.validation(read, sql_scope.failing_keys(outcome))
    return SqlEvaluation(outcome, record, scope, validation)


def build_sql_checks(
    warehouse_resource_key: str = "warehouse",
    names: Sequence[str] | None = None,
    config_resource_key: str = "business",
) -> list[dg.AssetChecksDefinition]:
    """One asset check per SQL check of `sql_checks.SQL_CHECKS` (`names`: a subset)."""
    selected = list(names) if names is not None else [c.name for c in SQL_CHECKS]
    unknown = [n for n in selected if n not in SQL_CHECKS_BY_NAME]
    if unknown:
        raise KeyError(f"no SQL check named {', '.join(unknown)}")
    return [
        _make_sql_check(SQL_CHECKS_BY_NAME[n], warehouse_resource_key, config_resource_key)
        for n in selected
    ]


def suite_run_config(full_refresh: bool) -> dict[str, dict]:
    """The run config (`ops`) of every suite check: `full_refresh` validates every row again."""
    config = {"config": SuiteCheckConfig(full_refresh=full_refresh).model_dump()}
    return {check.node_def.name: config for check in build_asset_checks(tables=list(SUITES))}


def build_asset_checks(
    warehouse_resource_key: str = "warehouse",
    tables: Sequence[str] | None = None,
    asset_keys: Mapping[str, dg.AssetKey] | None = None,
    config_resource_key: str = "business",
) -> list[dg.AssetChecksDefinition]:
    """One asset check per suite; with `tables` None, the SQL checks and the volume,
    freshness and distribution warnings too (`source_checks`, reading the configuration file
    through the `BusinessConfig` resource under `config_resource_key`).

    `tables` picks suites by table (default: all of `SUITES`); `asset_keys` overrides the asset
    key a table's check is attached to (default: the suite's ``meta["asset_key"]``, e.g.
    ``["raw", "erp_invoices"]``). The resource under
    `warehouse_resource_key` must offer ``connect(read_only=True)`` (see `WarehouseResource`).
    """
    selected = list(tables) if tables is not None else list(SUITES)
    unknown = [t for t in selected if t not in SUITES]
    if unknown:
        raise KeyError(f"no suite for table(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
    overrides = dict(asset_keys or {})
    extra: list[dg.AssetChecksDefinition] = []
    if tables is None:
        extra = [
            *build_sql_checks(warehouse_resource_key, None, config_resource_key),
            *build_source_checks(warehouse_resource_key, config_resource_key),
        ]
    return extra + [
        _make_check(
            table,
            SUITES[table],
            overrides.get(table) or default_asset_key(SUITES[table]()),
            warehouse_resource_key,
            config_resource_key,
        )
        for table in selected
    ]
