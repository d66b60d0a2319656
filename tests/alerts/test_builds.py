"""Alerts over successive `amicable build`s: each alert reaches its recipient once and only
once; a fact that arises later is sent by the build that finds it; a build that a check
blocks sends its blocking checks to the finance and audit lists.

A copy of the tiny sample's build (tests/conftest.py) is built three times with alerts to an
SMTP server on loopback: as of 2026-11-20 (the sample's facts, tests/alerts/test_alerts.py),
as of 2026-11-28 (the same facts, and PR0000140001, pending and promised for 2026-11-29, now
falls due tomorrow), then with an allocation to an unknown invoice and no failing row allowed
(`quality.max_failing_row_share: 0`), which blocks publication.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from amicable.cli import main
from ingestion.contracts import SOURCES_BY_NAME
from orchestration.publish import published_slot, rejected_path
from tests.alerts.conftest import MAILBOXES, Mailbox, body, mailbox_config
from tests.conftest import SampleBuild, copy_build

FIRST = 12 + 4 + 9 + 1  # europe, desk, audit, finance (DSO 89.20 > 85): test_alerts.py


def _sent(warehouse: Path) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select alert_key, recipient, run_id from alerts.sent order by sent_at, alert_key"
        ).fetchall()


def test_alerts_are_sent_once_and_only_once_over_builds(
    sample_build: SampleBuild, mailbox: Mailbox, tmp_path, capsys
) -> None:
    warehouse = copy_build(sample_build, tmp_path)
    landing = tmp_path / "landing"
    config = mailbox_config(tmp_path / "config", mailbox, dso_above={"threshold_days": 85})

    def build(as_of: str, config: Path = config) -> int:
        args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
        return main([*args, "--as-of", as_of, "--config", str(config)])

    assert build("2026-11-20") == 0
    first = mailbox.take()
    assert sorted(first) == sorted(MAILBOXES.values())
    assert first["europe@amicable.test"]["Subject"] == (
        "amicable: 12 new alert(s) (build as of 2026-11-20)"
    )
    assert "sent to europe: 12 alert(s)" in capsys.readouterr().out
    first_slot = published_slot(warehouse)
    assert len(_sent(warehouse)) == FIRST

    assert build("2026-11-28") == 0

    second = mailbox.take()
    assert list(second) == ["europe@amicable.test"], "only the new fact"
    message = second["europe@amicable.test"]
    assert message["Subject"] == "amicable: 1 new alert(s) (build as of 2026-11-28)"
    assert body(message) == (
        "Promises falling due tomorrow (1)\n"
        "- promise PR0000140001 on case CS00001401 due 2026-11-29: 15559.26 EUR, agent AG004\n"
    )
    out = capsys.readouterr().out
    assert f"alerts: 1 new alert(s) for 1 recipient(s); {FIRST} already sent" in out
    # the second build wrote the other slot: the first build's records were carried into it
    assert published_slot(warehouse) != first_slot
    sent = _sent(warehouse)
    assert len(sent) == FIRST + 1
    assert len({(key, recipient) for key, recipient, _ in sent}) == FIRST + 1
    assert sent[-1][:2] == ("promise_due_tomorrow:PR0000140001", "europe")
    assert len({run for *_, run in sent}) == 2

    args = ["alerts", "--warehouse", str(warehouse), "--config", str(config)]
    assert main(args) == 0
    assert mailbox.take() == {}
    assert f"0 new alert(s) for 0 recipient(s); {FIRST + 1} already sent" in (
        capsys.readouterr().out
    )

    # a blocking data-quality failure: the build is kept apart, finance and audit hear of it
    header = ",".join(SOURCES_BY_NAME["erp_payment_allocations"].columns)
    orphan = "AL-ORPHAN,NO-SUCH-ENTRY,INV-NOT-THERE,10.00,2026-11-27T12:00:00Z"
    allocations = landing / "erp" / "payment_allocations_2026-11-28T0200.csv"
    allocations.write_text(f"{header}\n{orphan}\n")
    strict = yaml.safe_load(config.read_text())
    strict["quality"]["max_failing_row_share"] = 0
    strict_config = config.with_name("strict.yml")
    strict_config.write_text(yaml.safe_dump(strict))

    assert build("2026-11-28", strict_config) == 1

    third = mailbox.take()
    assert sorted(third) == ["audit@amicable.test", "finance@amicable.test"]
    text = body(third["finance@amicable.test"])
    assert text.startswith("Data-quality checks blocking publication (")
    assert "allocations_reference_known_invoices" in text
    assert body(third["audit@amicable.test"]) == text
    kept = _sent(rejected_path(warehouse))
    blocking = [key for key, *_ in kept if key.startswith("data_quality_blocking:")]
    assert len(blocking) == 2 * text.count("\n- ")  # one record per alert and list
    assert len(_sent(warehouse)) == FIRST + 1, "the published build is unchanged"
