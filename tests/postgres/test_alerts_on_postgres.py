"""Alerts on a PostgreSQL warehouse (issue 16): the rules find the same alerts, for the same
recipients, as on the DuckDB build of the same sample; `amicable alerts --warehouse URL` sends
each recipient one digest and records it in `alerts.sent` there, so a second run sends nothing;
the build sends after publication, and a warehouse it cannot read is one line."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb
import psycopg2
import pytest

from amicable import alerts
from amicable.cli import main
from amicable.config import load_config
from amicable.settings import Settings
from amicable.warehouse_ref import PostgresWarehouse
from dashboards.postgres import connect, writing
from orchestration.pg_build import PgBuildOutcome, send_alerts
from tests.alerts.conftest import MAILBOXES, Mailbox, body, mailbox_config, write_config
from tests.alerts.conftest import mailbox as mailbox  # the fixture, used by name below
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.postgres.conftest import PostgresServer, TinyOnPostgres, free_port

DATABASE = "amicable_alerts"


@pytest.fixture
def warehouse(tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer) -> str:
    """A copy of the session's PostgreSQL build of the tiny sample: its URL."""
    assert tiny_on_postgres.built.ok, tiny_on_postgres.built.report
    postgres_server.fresh_database(DATABASE, tiny_on_postgres.database)
    return postgres_server.url(DATABASE)


def digests(outcome: alerts.AlertsOutcome) -> list[tuple[str, list[tuple]]]:
    return [
        (d.recipient, [(a.key, a.rule, a.subject, a.detail, a.agent_id) for a in d.alerts])
        for d in outcome.digests
    ]


def sent(url: str) -> list[tuple[str, str]]:
    con = connect(PostgresWarehouse(url))
    try:
        return con.execute(
            "select alert_key, recipient from alerts.sent order by recipient, alert_key"
        ).fetchall()
    finally:
        con.close()


def fail_a_check(url: str, run_id: str) -> None:
    """A blocking check of run `run_id` in quality.check_results: a copy of a recorded one."""
    with contextlib.closing(psycopg2.connect(url)) as con, con, con.cursor() as cur:
        cur.execute(
            "create temporary table failed as select * from quality.check_results limit 1;"
            "update failed set run_id = %s, status = 'fail', failing_count = 3;"
            "insert into quality.check_results select * from failed",
            [run_id],
        )


def test_a_digest_delivered_but_not_recorded_is_said_and_the_others_stay_recorded(
    warehouse: str, mailbox: Mailbox, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The warehouse refuses the record of one recipient's digest (a check constraint): that
    digest is reported delivered but not recorded (so sent again next time), and the records
    of the other digests, committed one by one, stay."""
    with contextlib.closing(psycopg2.connect(warehouse)) as con, con, con.cursor() as cur:
        cur.execute("create schema alerts")
        cur.execute(alerts.DDL)
        cur.execute("alter table alerts.sent add check (recipient <> 'desk')")
    config = mailbox_config(tmp_path / "config", mailbox)
    args = ["alerts", "--warehouse", warehouse, "--config", str(config)]

    assert main(args) == 1
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if "NOT RECORDED" in line]
    assert line.startswith("  NOT RECORDED desk: ") and "check constraint" in line
    assert line.endswith(": delivered, but not recorded in alerts.sent, so sent again next time")
    assert "desk@amicable.test" in mailbox.take()
    recorded = sent(warehouse)
    assert {recipient for _, recipient in recorded} == {"europe", "audit_list"}

    assert main(args) == 1  # only desk's digest again
    assert list(mailbox.take()) == ["desk@amicable.test"]
    assert sent(warehouse) == recorded


def test_the_rules_find_what_they_find_on_duckdb(
    sample_build: SampleBuild, warehouse: str, tmp_path: Path
) -> None:
    config = load_config(
        write_config(
            tmp_path,
            {n: f"json://{n}.test" for n in MAILBOXES},
            dso_above={"threshold_days": 85},
        )
    )
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        on_duckdb = alerts.plan(con, config)
    con = connect(PostgresWarehouse(warehouse))
    try:
        on_postgres = alerts.plan(con, config)
    finally:
        con.close()
    assert digests(on_postgres) == digests(on_duckdb)
    assert sorted(d.recipient for d in on_postgres.digests) == sorted(MAILBOXES)
    rules = {a.rule for d in on_postgres.digests for a in d.alerts}
    assert {"case_stuck", "promise_broken", "compliance_breach", "dso_above"} <= rules
    assert [a.key for a in on_postgres.unrouted] == [a.key for a in on_duckdb.unrouted]


def test_the_command_sends_each_digest_once(
    warehouse: str, mailbox: Mailbox, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    config = mailbox_config(tmp_path / "config", mailbox, dso_above={"threshold_days": 85})
    args = ["alerts", "--warehouse", warehouse, "--config", str(config)]

    assert main([*args, "--dry-run"]) == 0
    assert "dry run: nothing sent, nothing recorded" in capsys.readouterr().out
    assert mailbox.take() == {}

    assert main(args) == 0
    received = mailbox.take()
    assert sorted(received) == sorted(MAILBOXES.values())
    assert "DSO 89.20 days in 2026-10 (all)" in body(received["finance@amicable.test"])
    recorded = sent(warehouse)
    assert len(recorded) == len(set(recorded)) > len(MAILBOXES)
    capsys.readouterr()

    assert main(args) == 0  # the same facts: nothing new
    assert mailbox.take() == {}
    out = capsys.readouterr().out
    assert f"0 new alert(s) for 0 recipient(s); {len(recorded)} already sent" in out
    assert sent(warehouse) == recorded

    down = f"postgresql://amicable:secret@localhost:{free_port()}/amicable"
    assert main(["alerts", "--warehouse", down, "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "secret" not in error, error


def test_the_build_sends_after_publication(
    warehouse: str, mailbox: Mailbox, tmp_path: Path
) -> None:
    config = mailbox_config(tmp_path / "config", mailbox)
    settings = Settings(
        landing=tmp_path / "landing", warehouse=tmp_path / "pg", as_of=SAMPLE_AS_OF, config=config
    )
    target = PostgresWarehouse(warehouse)

    blocked = PgBuildOutcome()  # not published: only its blocking checks (none here)
    send_alerts(settings, target, "run-quiet", blocked)
    assert blocked.alerts is not None and blocked.alerts.digests == []
    assert mailbox.take() == {}

    # a blocked build of the next day: its failing check goes to the finance and audit lists,
    # naming its own date (the published dim_build is still the day before)
    fail_a_check(warehouse, "run-blocked")
    next_day = replace(settings, as_of=SAMPLE_AS_OF + timedelta(days=1))
    blocked = PgBuildOutcome()
    send_alerts(next_day, target, "run-blocked", blocked)
    assert blocked.alerts is not None and sorted(blocked.alerts.delivered) == [
        "audit_list",
        "finance_list",
    ]
    received = mailbox.take()
    assert sorted(received) == ["audit@amicable.test", "finance@amicable.test"]
    title = received["finance@amicable.test"]["Subject"]
    assert title == "amicable: 1 new alert(s) (build as of 2026-11-21)"
    assert "blocks the build (run run-blocked)" in body(received["audit@amicable.test"])

    published = PgBuildOutcome(published=True)
    send_alerts(settings, target, "run-published", published)
    assert published.alerts is not None and published.alerts.failed == []
    assert sorted(published.alerts.delivered) == sorted(
        n
        for n in MAILBOXES
        if n != "finance_list"  # DSO 89.20 <= 90
    )
    assert len(mailbox.take()) == len(published.alerts.delivered)
    with writing(target) as con:
        runs = con.execute("select distinct run_id from alerts.sent order by 1").fetchall()
    assert runs == [("run-blocked",), ("run-published",)]

    down = PostgresWarehouse(f"postgresql://amicable:secret@localhost:{free_port()}/amicable")
    failed = PgBuildOutcome(published=True)
    send_alerts(settings, down, "run-down", failed)
    assert failed.alerts is not None and len(failed.alerts.failed) == 1
    assert failed.alerts.failed[0].startswith("every recipient: rules not evaluated: ")
    assert "secret" not in failed.alerts.failed[0]
