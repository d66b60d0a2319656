"""One Dagster asset per source table: landing-zone files -> `raw.<table>` (+ quarantine).

No `from __future__ import annotations` here: Dagster reads the `context` type hint at runtime.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from amicable import progress
from data_quality.resources import WarehouseResource
from ingestion.contracts import SOURCES, SourceTable
from ingestion.load import SourceReport, ensure_raw_schema, ingest_source, load_time


class LandingZone(dg.ConfigurableResource):
    """The landing-zone folder: one sub-folder per source system (DESIGN.md §3)."""

    path: str


def report_metadata(report: SourceReport) -> dict[str, dg.MetadataValue]:
    files = [
        f"{f.source_file}: {f.status}, read {f.rows_read}, loaded {f.rows_loaded}, "
        f"quarantined {f.rows_quarantined}" + (f" ({f.reason})" if f.reason else "")
        for f in report.files
    ]
    return {
        "rows_read": dg.MetadataValue.int(report.rows_read),
        "rows_loaded": dg.MetadataValue.int(report.rows_loaded),
        "rows_quarantined": dg.MetadataValue.int(report.rows_quarantined),
        "files_loaded": dg.MetadataValue.int(sum(f.status == "loaded" for f in report.files)),
        "files_rejected": dg.MetadataValue.int(sum(f.status == "rejected" for f in report.files)),
        "files_already_loaded": dg.MetadataValue.int(
            sum(f.status == "already loaded" for f in report.files)
        ),
        "files": dg.MetadataValue.md("\n".join(f"- {line}" for line in files) or "no files"),
    }


def _ingestion_asset(source: SourceTable) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", source.name]),
        group_name="ingestion",
        kinds={"python", "duckdb"},
        description=f"{source.description} Files `{source.folder}/{source.pattern}` "
        f"({source.fmt}) appended to `raw.{source.name}`; bad rows to `raw.quarantine`.",
    )
    def _asset(
        context: dg.AssetExecutionContext, landing: LandingZone, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            ensure_raw_schema(con, SOURCES)
            loaded_at = load_time(con, datetime.now(UTC).replace(tzinfo=None))
            report = ingest_source(con, Path(landing.path), source, context.run_id, loaded_at)
        progress.step(
            f"ingested {source.name}: {report.rows_read} rows read, {report.rows_loaded} loaded,"
            f" {report.rows_quarantined} quarantined"
        )
        if report.rows_quarantined:
            context.log.warning(
                f"{source.name}: {report.rows_quarantined} row(s) quarantined, see raw.quarantine"
            )
        return dg.MaterializeResult(metadata=report_metadata(report))

    return _asset


def build_ingestion_assets() -> list[dg.AssetsDefinition]:
    return [_ingestion_asset(source) for source in SOURCES]
