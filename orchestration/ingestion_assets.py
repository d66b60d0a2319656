"""One Dagster asset per source table: landing-zone files -> `raw.<table>` (+ quarantine); with
a source database, one asset before them extracting its tables into the landing zone.

No `from __future__ import annotations` here: Dagster reads the `context` type hint at runtime.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from amicable import progress
from data_quality.resources import BusinessConfig, WarehouseResource
from ingestion.contracts import SOURCES, SourceTable
from ingestion.load import SourceReport, ensure_raw_schema, ingest_source, load_time
from ingestion.source_db import DEFAULT_TABLES, extract, masked

SOURCE_DB_KEY = dg.AssetKey(["landing", "source_database"])


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


def _ingestion_asset(source: SourceTable, after_extraction: bool) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", source.name]),
        deps=[SOURCE_DB_KEY] if after_extraction else [],
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


def _extraction_asset(url: str) -> dg.AssetsDefinition:
    """The source database's tables into the landing zone (`ingestion.source_db`). The URL is
    kept in this closure, not in a resource's config, which Dagster would show."""

    @dg.asset(
        key=SOURCE_DB_KEY,
        group_name="ingestion",
        kinds={"python", "postgres"},
        description=f"The case tool's and the ERP's tables of {masked(url)}: rows new or "
        "changed since the last extraction, one landing-zone file per table "
        "(ingestion/source_db.py); their raw assets load them.",
    )
    def _asset(landing: LandingZone, business: BusinessConfig) -> dg.MaterializeResult:
        section = business.config().source_database
        reports = extract(url, Path(landing.path), section.specs(), section.lookback_minutes)
        lines = [
            f"{r.source_table}: read {r.rows_read}, written {r.rows_written}"
            + (f" to {r.file}" if r.file else " (nothing new)")
            for r in reports
        ]
        progress.step(
            f"extracted from {masked(url)}: {sum(r.rows_written for r in reports)} new or "
            "changed rows"
        )
        return dg.MaterializeResult(
            metadata={
                "rows_written": dg.MetadataValue.int(sum(r.rows_written for r in reports)),
                "tables": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines)),
            }
        )

    return _asset


def build_ingestion_assets(source_db: str = "") -> list[dg.AssetsDefinition]:
    """The raw assets; with a source database URL, its extraction first."""
    extraction = [_extraction_asset(source_db)] if source_db else []
    return [
        *extraction,
        *(_ingestion_asset(s, bool(source_db) and s.name in DEFAULT_TABLES) for s in SOURCES),
    ]
