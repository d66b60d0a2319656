"""The data-quality suites as blocking Dagster asset checks, one per suite.

A check fails with severity ERROR when a blocking expectation fails (Dagster then skips the
assets downstream of the checked table) and with severity WARN when only warnings fail.
"""

# No `from __future__ import annotations`: Dagster inspects the check's `context` annotation.
from collections.abc import Callable, Mapping, Sequence

import dagster as dg
import great_expectations as gx

from data_quality.runner import SuiteOutcome, run_suite_on
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
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN
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
        return check_result(outcome)

    return _check


def build_asset_checks(
    warehouse_resource_key: str = "warehouse",
    tables: Sequence[str] | None = None,
    asset_keys: Mapping[str, dg.AssetKey] | None = None,
) -> list[dg.AssetChecksDefinition]:
    """One blocking asset check per suite.

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
    return [
        _make_check(
            table,
            SUITES[table],
            overrides.get(table) or _default_asset_key(SUITES[table]()),
            warehouse_resource_key,
        )
        for table in selected
    ]
