"""SQL check outcomes as `quality.check_results` rows and Dagster check results."""

# No `from __future__ import annotations`: kept like `data_quality.checks`, read by Dagster.
from collections import Counter
from collections.abc import Callable, Sequence

import dagster as dg
import duckdb

from amicable import progress
from data_quality.policy import Level, share_text, verdict
from data_quality.results import CheckRecord, append_with_retry
from data_quality.sqlcheck import SqlOutcome


def severity(status: str) -> dg.AssetCheckSeverity:
    """ERROR for a failure that blocks publication (`fail`), WARN for anything else."""
    return dg.AssetCheckSeverity.ERROR if status == "fail" else dg.AssetCheckSeverity.WARN


def sql_record(
    name: str, asset: str, level: Level, outcome: SqlOutcome, max_share: float = 0.0
) -> CheckRecord:
    """The record of a SQL check at `level` (`data_quality.policy`): `fail` blocks, `warn`
    flags; a failed row-level check's description says its share of bad rows."""
    status = verdict(level, outcome.failing_count, outcome.checked, max_share)
    description = outcome.summary
    if level == "row" and status != "pass":
        description += f" [{share_text(outcome.failing_count, outcome.checked, max_share)}]"
    return CheckRecord(
        check_name=name,
        asset=asset,
        status=status,
        blocking=level != "warning",
        failing_count=outcome.failing_count,
        failing_keys=outcome.failing_keys,
        description=description,
        details=[outcome.figures] if outcome.figures else [],
    )


def sql_check_result(
    record: CheckRecord, outcome: SqlOutcome, scope: str = "", **keys
) -> dg.AssetCheckResult:
    """The Dagster result of a SQL check's `record` (`scope`: the rows it read, when it says;
    `keys`: asset_key, check_name for a multi-asset check)."""
    metadata: dict[str, dg.RawMetadataValue] = {
        "failing_count": outcome.failing_count,
        "figures": dg.MetadataValue.json(outcome.figures),
    }
    if scope:
        metadata["rows_read"] = scope
    if not outcome.success:
        metadata["failing_keys"] = dg.MetadataValue.json(list(outcome.failing_keys))
    return dg.AssetCheckResult(
        passed=record.status == "pass",
        severity=severity(record.status),
        metadata=metadata,
        description=record.description,
        **keys,
    )


def record_results(
    warehouse: object,
    records: Sequence[CheckRecord],
    run_id: str,
    store: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
) -> None:
    """Append `records`, and what `store` writes for the run, over a short read-write
    connection of the warehouse resource (one transaction)."""
    if len(records) == 1:
        progress.step(f"check {records[0].check_name} on {records[0].asset}: {records[0].status}")
    elif records:
        counts = Counter(r.status for r in records)
        progress.step(
            f"{len(records)} checks recorded: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        )
    append_with_retry(
        lambda: warehouse.connect(read_only=False),  # type: ignore[attr-defined]
        records,
        run_id,
        store=store,
    )
