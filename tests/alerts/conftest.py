"""An SMTP server on loopback (aiosmtpd) that keeps every message, and a configuration whose
alert recipients are mailboxes on it."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller

from amicable.settings import DEFAULT_CONFIG

SENDER = "alerts@amicable.test"
# Recipient name -> mailbox. AG001 supervises AG002-AG004 (team_europe); AG005 and AG009
# supervise the other teams and are not listed, so their agents' alerts go to the desk.
MAILBOXES = {
    "europe": "europe@amicable.test",
    "desk": "desk@amicable.test",
    "finance_list": "finance@amicable.test",
    "audit_list": "audit@amicable.test",
}


@dataclass
class Mailbox:
    """What the loopback SMTP server received, one parsed message per delivery."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from={SENDER}&to={to}"

    def take(self) -> dict[str, EmailMessage]:
        """The messages received since the last call, by recipient address (one each)."""
        taken, self.messages = self.messages, []
        by_to = {str(m["To"]): m for m in taken}
        assert len(by_to) == len(taken), "one digest per recipient"
        return by_to


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def write_config(folder: Path, urls: dict[str, str], **rules: dict) -> Path:
    """The shipped configuration with these recipients (name -> apprise URL), AG001's team to
    `europe`, every other supervisor to `desk`, the finance and audit lists; `rules`
    overrides a rule's settings, e.g. dso_above={"threshold_days": 85}."""
    folder.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["compliance"]["rule_packs_dir"] = str(DEFAULT_CONFIG.parent / "rule_packs")
    config["late_payment"]["packs_dir"] = str(DEFAULT_CONFIG.parent / "late_payment")
    config["alerts"].update(
        recipients=urls,
        supervisors={"AG001": "europe"},
        supervisor_fallback="desk",
        finance=["finance_list"],
        audit=["audit_list"],
    )
    for rule, settings in rules.items():
        config["alerts"]["rules"][rule].update(settings)
    path = folder / "amicable.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def mailbox_config(folder: Path, box: Mailbox, **rules: dict) -> Path:
    return write_config(folder, {n: box.url(to) for n, to in MAILBOXES.items()}, **rules)
