"""The Dagster sensor sends a build run's alerts, unless `amicable build` ran it (which sent
them itself)."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb

from amicable.alerts import ALERTS_TAG, SENT_BY_BUILD
from amicable.settings import Settings
from orchestration.definitions import BUILD_JOB, build_definitions
from orchestration.sensors import build_alerts_sensor
from tests.alerts.conftest import MAILBOXES, Mailbox, mailbox_config
from tests.conftest import SampleBuild


@dg.op
def _noop() -> None:
    pass


@dg.job(name=BUILD_JOB)
def _stand_in_build() -> None:
    """A run of a job named `build` for the sensor to report on (the real one takes minutes;
    the sensor reads the warehouse, not the run)."""
    _noop()


def _context(instance: dg.DagsterInstance, tags: dict[str, str]):
    result = _stand_in_build.execute_in_process(instance=instance, tags=tags)
    success = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_SUCCESS]
    return dg.build_run_status_sensor_context(
        sensor_name="alerts_sensor",
        dagster_event=success[0],
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    )


def test_the_alerts_sensor_is_registered_stopped(tmp_path) -> None:
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    sensor = defs.resolve_sensor_def("alerts_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED


def test_the_sensor_sends_a_dagster_runs_alerts_once_and_leaves_a_cli_builds(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse.resolve(), warehouse)
    config = mailbox_config(tmp_path / "config", mailbox)
    sensor = build_alerts_sensor(dg.define_asset_job(BUILD_JOB), warehouse, config)

    with dg.DagsterInstance.ephemeral() as instance:
        by_cli = sensor(_context(instance, {ALERTS_TAG: SENT_BY_BUILD}))
        assert isinstance(by_cli, dg.SkipReason) and "`amicable build` sent" in by_cli.skip_message
        assert mailbox.take() == {}

        first = sensor(_context(instance, {}))
        # DSO 89.20 is under the default 90: no finance digest (tests/alerts/test_alerts.py)
        assert "25 new alert(s) for 3 recipient(s); 0 already sent" in first.skip_message
        assert sorted(mailbox.take()) == sorted(
            MAILBOXES[n] for n in ("europe", "desk", "audit_list")
        )
        again = sensor(_context(instance, {}))
        assert "0 new alert(s) for 0 recipient(s); 25 already sent" in again.skip_message
        assert mailbox.take() == {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select count(distinct run_id), count(*) from alerts.sent").fetchall()
    assert runs == [(1, 25)]
