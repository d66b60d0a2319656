"""Alert rules on the sample's build, one digest per recipient, sent once (amicable.alerts).

The tiny sample (tests/conftest.py, as of 2026-11-20) holds, read from its marts and its
agents feed (AG001 supervises AG002-AG004; AG005 and AG009, not listed in the test
configuration, supervise the others, whose alerts go to the fallback `desk`):
- 6 stuck-case rows of rules stage_sla and no_contact, all on cases of AG002 and AG004;
- 1 broken promise without follow-up (PR0000150002, AG004; its earlier promise was replaced);
- 9 compliance breaches, 5 by AG001-AG004, 4 by AG010-AG012;
- DSO of October 2026 (the latest closed month), all segments: 89.20 days;
- no pending promise due on 2026-11-21, no blocking check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from amicable import alerts
from amicable.cli import main
from amicable.config import ConfigError, load_config
from tests.alerts.conftest import (
    MAILBOXES,
    Mailbox,
    body,
    free_port,
    mailbox_config,
    write_config,
)
from tests.conftest import SampleBuild

EUROPE = 6 + 1 + 5  # stuck cases, the broken promise, the breaches of AG001's team
DSO_OVER_85 = {"finance_list": 1}


def _warehouse_copy(sample_build: SampleBuild, tmp_path: Path) -> Path:
    """The sample's published build as a plain file of its own, to write alerts into."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse.resolve(), target)
    return target


def _sent(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select alert_key, recipient from alerts.sent order by recipient, alert_key"
        ).fetchall()


def test_the_digest_groups_the_alerts_by_recipient(sample_build: SampleBuild, tmp_path) -> None:
    config = load_config(write_config(tmp_path, {n: f"json://{n}.test" for n in MAILBOXES}))
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        planned = alerts.plan(con, config)
    by_recipient = {d.recipient: d for d in planned.digests}
    counts = {name: len(d.alerts) for name, d in by_recipient.items()}
    assert counts == {"europe": EUROPE, "desk": 4, "audit_list": 9}, "DSO 89.20 <= 90"
    europe = by_recipient["europe"]
    assert [a.rule for a in europe.alerts].count("case_stuck") == 6
    assert "case_stuck:CS00001401:no_contact:2026-11-13" in {a.key for a in europe.alerts}
    assert "promise_broken:PR0000150002" in {a.key for a in europe.alerts}
    assert {a.agent_id for a in by_recipient["desk"].alerts} == {"AG010", "AG011", "AG012"}
    # a breach goes to the audit list and to the supervisor of its agent
    audit_keys = {a.key for a in by_recipient["audit_list"].alerts}
    supervised = {a.key for a in europe.alerts + by_recipient["desk"].alerts}
    assert audit_keys <= supervised
    text = europe.body
    assert text.index("Cases newly stuck (6)") < text.index("Compliance breaches (5)")
    assert "PR0000150002 on case CS00001501 broken, no follow-up" in text


def test_dso_above_its_threshold_goes_to_finance_once_per_month(
    sample_build: SampleBuild, tmp_path
) -> None:
    urls = {n: f"json://{n}.test" for n in MAILBOXES}
    config = load_config(write_config(tmp_path, urls, dso_above={"threshold_days": 85}))
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        planned = alerts.plan(con, config)
    finance = [d for d in planned.digests if d.recipient == "finance_list"]
    assert [(a.key, a.subject) for a in finance[0].alerts] == [
        ("dso_above:all:2026-10", "DSO 89.20 days in 2026-10 (all)")
    ]


def test_disabled_rules_send_nothing(sample_build: SampleBuild, tmp_path) -> None:
    off = {"enabled": False}
    path = write_config(
        tmp_path,
        {n: f"json://{n}.test" for n in MAILBOXES},
        case_stuck=off,
        compliance_breach=off,
    )
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        planned = alerts.plan(con, load_config(path))
    assert [(d.recipient, [a.key for a in d.alerts]) for d in planned.digests] == [
        ("europe", ["promise_broken:PR0000150002"])
    ]


def test_dry_run_prints_each_digest_and_sends_and_records_nothing(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, capsys
) -> None:
    config = mailbox_config(tmp_path, mailbox)
    warehouse = sample_build.settings.warehouse
    status = main(["alerts", "--warehouse", str(warehouse), "--config", str(config), "--dry-run"])
    out = capsys.readouterr().out
    assert status == 0
    assert f"alerts: {EUROPE + 4 + 9} new alert(s) for 3 recipient(s); 0 already sent" in out
    assert "--- would send to europe: amicable: 12 new alert(s) (build as of 2026-11-20)" in out
    assert "--- would send to desk: amicable: 4 new alert(s)" in out
    assert "dry run: nothing sent, nothing recorded" in out
    assert mailbox.messages == []
    tables = sample_build.query("select count(*) from duckdb_tables() where schema_name = 'alerts'")
    assert tables == [(0,)]


def test_each_recipient_gets_one_email_and_each_alert_once(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, capsys
) -> None:
    warehouse = _warehouse_copy(sample_build, tmp_path)
    config = mailbox_config(tmp_path / "config", mailbox, dso_above={"threshold_days": 85})
    args = ["alerts", "--warehouse", str(warehouse), "--config", str(config)]

    assert main(args) == 0

    received = mailbox.take()
    assert sorted(received) == sorted(MAILBOXES.values())
    europe = received["europe@amicable.test"]
    assert europe["Subject"] == "amicable: 12 new alert(s) (build as of 2026-11-20)"
    assert europe["From"] == "alerts@amicable.test"
    text = body(europe)
    assert text.count("\n- ") == EUROPE
    assert "case CS00001401 without contact since 2026-11-13" in text
    assert "DSO 89.20 days in 2026-10 (all)" in body(received["finance@amicable.test"])
    assert body(received["audit@amicable.test"]).startswith("Compliance breaches (9)\n")
    sent = _sent(warehouse)
    assert len(sent) == len(set(sent)) == EUROPE + 4 + 9 + 1
    assert "sent to europe: 12 alert(s)" in capsys.readouterr().out

    assert main(args) == 0  # the same facts: nothing new

    assert mailbox.take() == {}
    assert "0 new alert(s) for 0 recipient(s); 26 already sent" in capsys.readouterr().out
    assert len(_sent(warehouse)) == 26


def test_a_failed_delivery_is_reported_without_secrets_and_tried_again(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, capsys
) -> None:
    warehouse = _warehouse_copy(sample_build, tmp_path)
    closed = free_port()  # nothing listens there
    urls = {n: mailbox.url(to) for n, to in MAILBOXES.items()}
    urls["audit_list"] = (
        f"mailto://alerts:s3cret-pw@127.0.0.1:{closed}?from=a@amicable.test&to=audit@amicable.test"
    )
    config = write_config(tmp_path / "bad", urls)

    status = main(["alerts", "--warehouse", str(warehouse), "--config", str(config)])

    out = capsys.readouterr().out
    assert status == 1
    assert "NOT SENT audit_list (mailto://): delivery failed" in out
    assert "tried again next time" in out
    assert "s3cret-pw" not in out
    assert sorted(mailbox.take()) == ["desk@amicable.test", "europe@amicable.test"]
    assert {r for _, r in _sent(warehouse)} == {"europe", "desk"}

    fixed = mailbox_config(tmp_path / "fixed", mailbox)
    assert main(["alerts", "--warehouse", str(warehouse), "--config", str(fixed)]) == 0

    received = mailbox.take()
    assert list(received) == ["audit@amicable.test"]
    assert received["audit@amicable.test"]["Subject"].startswith("amicable: 9 new alert(s)")
    assert len(_sent(warehouse)) == EUROPE + 4 + 9


def test_a_variable_in_a_url_is_read_from_the_environment(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, monkeypatch, capsys
) -> None:
    warehouse = _warehouse_copy(sample_build, tmp_path)
    urls = {n: mailbox.url(to) for n, to in MAILBOXES.items()}
    urls["desk"] = "mailto://127.0.0.1:${ALERTS_TEST_PORT}?from=a@b.test&to=desk@amicable.test"
    config = write_config(tmp_path / "config", urls)
    monkeypatch.delenv("ALERTS_TEST_PORT", raising=False)
    assert main(["alerts", "--warehouse", str(warehouse), "--config", str(config)]) == 1
    assert (
        "NOT SENT desk (mailto://): not sent: environment variable ALERTS_TEST_PORT is not set"
        in (capsys.readouterr().out)
    )
    assert "desk@amicable.test" not in mailbox.take()
    monkeypatch.setenv("ALERTS_TEST_PORT", str(mailbox.port))
    assert main(["alerts", "--warehouse", str(warehouse), "--config", str(config)]) == 0
    assert list(mailbox.take()) == ["desk@amicable.test"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"supervisors": {"AG001": "nobody"}},
            r"alerts: .*supervisors.AG001: unknown recipient 'nobody' \(recipients: audit_list, ",
        ),
        ({"finance": ["cfo"]}, r"alerts: .*finance: unknown recipient 'cfo'"),
        (
            {"recipients": {"desk": "smtp.example.com"}},
            r"alerts.recipients: .*recipient 'desk': 'smtp.example.com'... is not an apprise URL",
        ),
        ({"recipients": {"desk": []}}, r"alerts.recipients: .*recipient 'desk' has no URL"),
        (
            {"rules": {"dso_above": {"threshold_days": 0}}},
            r"alerts.rules.dso_above.threshold_days: Input should be greater than 0",
        ),
        (
            {"rules": {"case_stuck": {"enabled": True, "days": 3}}},
            r"alerts.rules.case_stuck.days: Extra inputs are not permitted",
        ),
        ({"rules": {"dso": {"enabled": True}}}, r"alerts.rules.dso: Extra inputs"),
        ({"send_after_build": "often"}, r"alerts.send_after_build: Input should be a valid"),
    ],
)
def test_a_bad_alerts_section_names_the_key(tmp_path: Path, change: dict, message: str) -> None:
    import yaml

    path = write_config(tmp_path, {n: f"json://{n}.test" for n in MAILBOXES})
    config = yaml.safe_load(path.read_text())
    for key, value in change.items():
        if key == "rules":
            for rule, settings in value.items():
                config["alerts"]["rules"][rule] = settings
        elif key == "recipients":
            config["alerts"]["recipients"].update(value)
        else:
            config["alerts"][key] = value
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ConfigError, match=rf"amicable.yml: {message}"):
        load_config(path)


def test_an_unknown_url_scheme_is_reported_not_sent(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, capsys
) -> None:
    warehouse = _warehouse_copy(sample_build, tmp_path)
    urls = {n: mailbox.url(to) for n, to in MAILBOXES.items()}
    urls["desk"] = "nosuchservice://token@example.test"
    config = write_config(tmp_path / "config", urls)
    assert main(["alerts", "--warehouse", str(warehouse), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "NOT SENT desk (nosuchservice://): not sent: apprise does not accept URL 1" in out
    assert "token@example.test" not in out
    assert {r for _, r in _sent(warehouse)} == {"europe", "audit_list"}


def test_alerts_without_a_warehouse_is_a_usage_error(tmp_path, capsys) -> None:
    missing = tmp_path / "none.duckdb"
    assert main(["alerts", "--warehouse", str(missing), "--dry-run"]) == 2
    assert capsys.readouterr().err == (
        f"amicable: error: no warehouse at {missing}: run `amicable build` first\n"
    )


def test_the_shipped_configuration_has_every_rule_on_and_no_recipient() -> None:
    from amicable.settings import DEFAULT_CONFIG

    shipped = load_config(DEFAULT_CONFIG).alerts
    assert shipped.recipients == {} and shipped.send_after_build
    assert all(getattr(shipped.rules, name).enabled for name in alerts.RULE_TITLES)
    assert shipped.rules.dso_above.threshold_days == 90


def test_who_hears_of_what(tmp_path: Path) -> None:
    urls = {n: f"json://{n}.test" for n in [*MAILBOXES, "ops"]}
    config = load_config(write_config(tmp_path, urls)).alerts
    supervisor_of = {"AG004": "AG001", "AG001": None, "AG010": "AG009"}

    def to(audiences: tuple[str, ...], agent: str | None = None, **change) -> list[str]:
        alert = alerts.Alert("k", "r", "s", "d", audiences, agent)
        return alerts.recipients(alert, config.model_copy(update=change), supervisor_of)

    assert to(("supervisor",), "AG004") == ["europe"]  # through its supervisor AG001
    assert to(("supervisor",), "AG001") == ["europe"]  # a supervisor is an agent
    assert to(("supervisor",), "AG010") == ["desk"]  # AG009 not listed: the fallback
    assert to(("supervisor",), None) == ["desk"]
    assert to(("supervisor",), "AG004", supervisors={"AG004": "ops"}) == ["ops"]
    assert to(("supervisor",), "AG010", supervisor_fallback=None) == []
    assert to(("audit", "supervisor"), "AG004") == ["audit_list", "europe"]
    assert to(("audit", "supervisor"), "AG004", supervisors={"AG001": "audit_list"}) == [
        "audit_list"
    ]
    assert to(("data_quality",)) == ["finance_list", "audit_list"]
    rules = config.rules.model_copy(
        update={
            "data_quality_blocking": config.rules.data_quality_blocking.model_copy(
                update={"recipients": ["ops"]}
            )
        }
    )
    assert to(("data_quality",), rules=rules) == ["ops"]
