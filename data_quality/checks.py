"""The data-quality suites and SQL checks as blocking Dagster asset checks (the per-source
warnings live in `data_quality.source_checks`).

A check fails with severity ERROR when a blocking part fails (Dagster then skips the assets
downstream of the checked table) and with severity WARN when only warnings fail. Every check
is declared `blocking` to Dagster, warning-only ones included, so that nothing downstream (dbt's
subprocess above all) runs while a check still holds the warehouse; a WARN never blocks.
Every evaluation appends a row to `quality.check_results` (`data_quality.results`).
"""

# No `from __future__ import annotations`: Dagster inspects the check's `context` annotation.
from collections.abc import Callable, Mapping, Sequence

import dagster as dg
import great_expectations as gx

from data_quality.outcomes import record_results, sql_check_result, sql_record, status
from data_quality.results import CheckRecord
from data_quality.runner import SuiteOutcome, run_suite_on
from data_quality.source_checks import build_source_checks
from data_quality.sql_checks import SQL_CHECKS, SQL_CHECKS_BY_NAME
from data_quality.sqlcheck import SqlCheck
from data_quality.suites import SUITES

MAX_LISTED = 20


def _failure_rows(outcome: SuiteOutcome) -> list[dict[str, object]]:
    return [
        {
            "expectation": r.name,
            "blocking": r.blocking,
            "unexpected_count": r.unexpected_count,
            "sample_keys": list(r.failing_keys),
            "reason": r.reason,
            **({"error": r.error} if r.error else {}),
        }
        for r in outcome.results
        if not r.success
    ]


def _markdown(outcome: SuiteOutcome) -> str:
    lines = ["| expectation | level | failing rows | sample keys |", "|---|---|---|---|"]
    for r in outcome.results:
        if r.success:
            continue
        level = "BLOCKING" if r.blocking else "warning"
        count = "error: " + r.error if r.error else str(r.unexpected_count)
        sample = ", ".join(r.failing_keys[:5]).replace("|", "/")
        lines.append(f"| {r.name.replace('|', '/')} | {level} | {count} | {sample} |")
    return "\n".join(lines)


def check_result(outcome: SuiteOutcome) -> dg.AssetCheckResult:
    """Turn a suite outcome into a check result (pure: no Dagster context needed)."""
    blocking, warnings = outcome.blocking_failures, outcome.warning_failures
    # ERROR marks the blocking level (a pass included); WARN: only warnings failed.
    only_warnings = not outcome.success and not blocking
    severity = dg.AssetCheckSeverity.WARN if only_warnings else dg.AssetCheckSeverity.ERROR
    metadata: dict[str, dg.RawMetadataValue] = {
        "row_count": outcome.row_count,
        "expectations": len(outcome.results),
        "blocking_failures": len(blocking),
        "warning_failures": len(warnings),
        "failing_rows_total": sum(r.unexpected_count or 0 for r in blocking + warnings),
        "read_seconds": round(outcome.read_seconds, 3),
        "validate_seconds": round(outcome.validate_seconds, 3),
    }
    if not outcome.success:
        metadata["failures"] = dg.MetadataValue.json(_failure_rows(outcome)[:MAX_LISTED])
        metadata["failures_table"] = dg.MetadataValue.md(_markdown(outcome))
    if outcome.success:
        description = f"all {len(outcome.results)} expectations passed on {outcome.table}"
    else:
        names = ", ".join(r.name for r in blocking + warnings)
        description = (
            f"{outcome.table}: {len(blocking)} blocking and {len(warnings)} warning "
            f"expectation(s) failed: {names}"
        )
    return dg.AssetCheckResult(
        passed=outcome.success, severity=severity, metadata=metadata, description=description
    )


def suite_record(
    name: str, asset_key: dg.AssetKey, outcome: SuiteOutcome, result: dg.AssetCheckResult
) -> CheckRecord:
    """The `quality.check_results` row of a suite evaluation: failing keys of every failed
    expectation, blocking ones first."""
    failed = outcome.blocking_failures + outcome.warning_failures
    keys = [key for r in failed for key in r.failing_keys]
    return CheckRecord(
        check_name=name,
        asset=asset_key.to_user_string(),
        status=status(result.passed, result.severity),
        blocking=True,
        failing_count=sum(r.unexpected_count or (0 if r.success else 1) for r in failed),
        failing_keys=tuple(dict.fromkeys(keys)),
        description=result.description or "",
        details=_failure_rows(outcome),
    )


def _default_asset_key(suite: gx.ExpectationSuite) -> dg.AssetKey:
    return dg.AssetKey(list(suite.meta["asset_key"]))


def _make_check(
    table: str,
    suite_fn: Callable[[], gx.ExpectationSuite],
    asset_key: dg.AssetKey,
    resource_key: str,
) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=asset_key,
        name=f"{table.replace('.', '_')}_suite",
        blocking=True,
        required_resource_keys={resource_key},
        description=f"Great Expectations suite on {table}: {(suite_fn.__doc__ or '').strip()}",
        metadata={"table": table},
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        warehouse = getattr(context.resources, resource_key)
        with warehouse.connect(read_only=True) as con:
            outcome = run_suite_on(con, table, suite_fn())
        context.log.info(
            f"{table}: {outcome.row_count} rows read in {outcome.read_seconds:.2f}s, "
            f"validated in {outcome.validate_seconds:.2f}s"
        )
        result = check_result(outcome)
        record = suite_record(context.check_specs[0].name, asset_key, outcome, result)
        record_results(warehouse, [record], context.run.run_id)
        return result

    return _check


def _make_sql_check(check: SqlCheck, resource_key: str) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(list(check.asset))

    @dg.asset_check(
        asset=asset_key,
        name=check.name,
        blocking=True,
        additional_deps=[dg.AssetKey(list(d)) for d in check.deps],
        required_resource_keys={resource_key},
        description=f"{(check.run.__doc__ or check.name).strip()} ({check.reason})",
        metadata={"level": "blocking" if check.blocking else "warning"},
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        warehouse = getattr(context.resources, resource_key)
        with warehouse.connect(read_only=True) as con:
            outcome = check.run(con)
        result = sql_check_result(check, outcome)
        record = sql_record(check.name, asset_key.to_user_string(), check.blocking, outcome, result)
        record_results(warehouse, [record], context.run.run_id)
        return result

    return _check


def build_sql_checks(
    warehouse_resource_key: str = "warehouse", names: Sequence[str] | None = None
) -> list[dg.AssetChecksDefinition]:
    """One blocking asset check per SQL check of `sql_checks.SQL_CHECKS` (`names`: a subset)."""
    selected = list(names) if names is not None else [c.name for c in SQL_CHECKS]
    unknown = [n for n in selected if n not in SQL_CHECKS_BY_NAME]
    if unknown:
        raise KeyError(f"no SQL check named {', '.join(unknown)}")
    return [_make_sql_check(SQL_CHECKS_BY_NAME[n], warehouse_resource_key) for n in selected]


def build_asset_checks(
    warehouse_resource_key: str = "warehouse",
    tables: Sequence[str] | None = None,
    asset_keys: Mapping[str, dg.AssetKey] | None = None,
    config_resource_key: str = "business",
) -> list[dg.AssetChecksDefinition]:
    """One blocking asset check per suite; with `tables` None, the SQL checks and the volume,
    freshness and distribution warnings too (`source_checks`, reading the configuration file
    through the `BusinessConfig` resource under `config_resource_key`).

    `tables` picks suites by table (default: all of `SUITES`); `asset_keys` overrides the asset
    key a table's check is attached to (default: the suite's ``meta["asset_key"]``, e.g.
    ``["raw", "erp_invoices"]``, ``["marts", "fct_ar_ageing"]``). The resource under
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
            *build_sql_checks(warehouse_resource_key),
            *build_source_checks(warehouse_resource_key, config_resource_key),
        ]
    return extra + [
        _make_check(
            table,
            SUITES[table],
            overrides.get(table) or _default_asset_key(SUITES[table]()),
            warehouse_resource_key,
        )
        for table in selected
    ]
