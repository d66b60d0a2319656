"""A sensor on the landing zone: a new or changed file requests a build run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg


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
