"""SQL check outcomes as Dagster check results and `quality.check_results` rows."""

# No `from __future__ import annotations`: kept like `data_quality.checks`, read by Dagster.
from collections.abc import Sequence

import dagster as dg

from data_quality.results import CheckRecord, append_with_retry
from data_quality.sqlcheck import SqlCheck, SqlOutcome


def status(passed: bool, severity: dg.AssetCheckSeverity) -> str:
    """`quality.check_results.status`: pass, fail (ERROR) or warn (WARN)."""
    if passed:
        return "pass"
    return "fail" if severity == dg.AssetCheckSeverity.ERROR else "warn"


def sql_check_result(check: SqlCheck | None, outcome: SqlOutcome) -> dg.AssetCheckResult:
    """Turn a SQL check outcome into a check result; `check` None means a warning-only check."""
    is_blocking = check is not None and check.blocking
    failing = not outcome.success
    severity = dg.AssetCheckSeverity.ERROR if is_blocking else dg.AssetCheckSeverity.WARN
    metadata: dict[str, dg.RawMetadataValue] = {
        "failing_count": outcome.failing_count,
        "figures": dg.MetadataValue.json(outcome.figures),
    }
    if failing:
        metadata["failing_keys"] = dg.MetadataValue.json(list(outcome.failing_keys))
    return dg.AssetCheckResult(
        passed=outcome.success, severity=severity, metadata=metadata, description=outcome.summary
    )


def sql_record(
    name: str, asset: str, is_blocking: bool, outcome: SqlOutcome, result: dg.AssetCheckResult
) -> CheckRecord:
    return CheckRecord(
        check_name=name,
        asset=asset,
        status=status(result.passed, result.severity),
        blocking=is_blocking,
        failing_count=outcome.failing_count,
        failing_keys=outcome.failing_keys,
        description=outcome.summary,
        details=[outcome.figures] if outcome.figures else [],
    )


def record_results(warehouse: object, records: Sequence[CheckRecord], run_id: str) -> None:
    """Append `records` over a short read-write connection of the warehouse resource."""
    append_with_retry(lambda: warehouse.connect(read_only=False), records, run_id)  # type: ignore[attr-defined]
