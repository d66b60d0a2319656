"""Sensors: on the landing zone (a new or changed file requests a build run), and after a
build run (its alerts are sent, `amicable.alerts`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

from amicable import alerts
from amicable.config import load_config
from orchestration.publish import WarehouseLocked, WarehouseSlotBusy


def landing_fingerprint(landing: Path) -> str:
    """Hash of the name, size and modification time of every file in the landing zone, whether
    a source recognises it or not (ingestion records every one, `ingestion.load`), except the
    top-level entries ingestion skips (names starting with `_` or `.`)."""
    digest = hashlib.sha256()
    for path in sorted(landing.rglob("*")):
        relative = path.relative_to(landing)
        if relative.parts[0].startswith(("_", ".")) or not path.is_file():
            continue
        stat = path.stat()
        digest.update(f"{relative}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build_landing_sensor(
    job: dg.UnresolvedAssetJobDefinition, landing: Path
) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_zone_sensor",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Requests a build when files under {landing} appear or change.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        if not landing.is_dir():
            return dg.SkipReason(f"landing folder {landing} does not exist")
        fingerprint = landing_fingerprint(landing)
        if fingerprint == context.cursor:
            return dg.SkipReason("no new or changed file in the landing zone")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint)

    return _sensor


def build_alerts_sensor(
    job: dg.UnresolvedAssetJobDefinition, warehouse: Path, config: Path
) -> dg.SensorDefinition:
    """After a successful run of the build job started from Dagster (`dagster dev`, the
    schedule, the landing sensor), evaluate the alert rules on the warehouse, send what is
    new and record it (`amicable.alerts.send_to_published`). A run `amicable build` started
    is left alone: the build sent its alerts (tag `amicable.alerts.ALERTS_TAG`). What could
    not be sent is tried again after the next run."""

    @dg.run_status_sensor(
        name="alerts_sensor",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[job],
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Sends the alerts of {warehouse} after each build run (config {config}).",
    )
    def _sensor(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        if run.tags.get(alerts.ALERTS_TAG) == alerts.SENT_BY_BUILD:
            return dg.SkipReason(f"run {run.run_id}: `amicable build` sent its alerts")
        business = load_config(config)
        if not business.alerts.send_after_build:
            return dg.SkipReason("alerts.send_after_build is false")
        try:
            outcome = alerts.send_to_published(warehouse, business, run.run_id)
        except (WarehouseLocked, WarehouseSlotBusy) as exc:
            return dg.SkipReason(f"alerts not sent, tried again after the next run: {exc}")
        for line in outcome.failed:
            context.log.warning(f"alert digest NOT SENT {line}; tried again after the next run")
        for line in outcome.unrecorded:
            context.log.warning(f"alert digest sent but NOT RECORDED {line}; sent again later")
        return dg.SkipReason("; ".join(alerts.summary(outcome)))

    return _sensor
