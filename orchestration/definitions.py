"""The Dagster code location: ingestion assets, dbt models, data-quality checks, the build job.

`dagster dev -m orchestration.definitions` loads `defs` with the default settings
(amicable.settings); `amicable build` builds the same definitions with its own paths and runs
the `build` job in-process.
"""

from __future__ import annotations

import dagster as dg

from amicable.settings import Settings
from data_quality.checks import build_asset_checks
from data_quality.resources import BusinessConfig, WarehouseResource
from orchestration.dbt_assets import (
    build_dbt_assets,
    dbt_resource,
    ensure_manifest,
)
from orchestration.ingestion_assets import LandingZone, build_ingestion_assets
from orchestration.sensors import build_alerts_sensor, build_landing_sensor

BUILD_JOB = "build"


def build_definitions(settings: Settings) -> dg.Definitions:
    build_job = dg.define_asset_job(
        BUILD_JOB,
        selection=dg.AssetSelection.all(),
        description="Ingest the landing zone, build every dbt model and run every check.",
    )
    # One process, one step at a time: DuckDB has one writer per file, and no check is declared
    # blocking (data_quality.checks), so only this keeps a check off the file while dbt writes.
    return dg.Definitions(
        assets=[
            *build_ingestion_assets(settings.source_db),
            build_dbt_assets(ensure_manifest()),
        ],
        asset_checks=build_asset_checks(),
        jobs=[build_job],
        schedules=[
            dg.ScheduleDefinition(name="daily_build", job=build_job, cron_schedule="0 3 * * *")
        ],
        sensors=[
            build_landing_sensor(build_job, settings.landing),
            build_alerts_sensor(build_job, settings.warehouse, settings.config),
        ],
        executor=dg.in_process_executor,
        resources={
            "landing": LandingZone(path=str(settings.landing)),
            "warehouse": WarehouseResource(path=str(settings.warehouse)),
            "dbt": dbt_resource(),
            "business": BusinessConfig(path=str(settings.config)),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.defaults())
