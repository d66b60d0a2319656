"""Records of the case tool: cases, their events, calls, messages and promises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


class Horizon(Exception):
    """The history ends before the script does: the case stays open at as_of."""


class Ids:
    """Per-debtor id counters: `ids("EV")` -> EV0000120003."""

    def __init__(self, tag: str) -> None:
        self.tag, self.counts = tag, {}

    def __call__(self, prefix: str) -> str:
        n = self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.tag}{n:04d}"


@dataclass(frozen=True)
class Event:
    event_id: str
    at: datetime
    etype: str
    actor: str
    payload: dict


@dataclass(frozen=True)
class Call:
    contact_id: str
    at: datetime
    agent_id: str
    direction: str
    duration: int
    outcome: str


@dataclass(frozen=True)
class Message:
    contact_id: str
    at: datetime
    agent_id: str | None
    channel: str
    direction: str
    template: str | None
    outcome: str


@dataclass
class Promise:
    promise_id: str
    made: datetime
    amount: int
    promised: date
    intended: str  # kept | short (kept within tolerance) | partially_kept | broken
    paid: int = 0


@dataclass
class Case:
    case_id: str
    debtor_id: str
    opened: datetime
    placed: int
    currency: str
    strategy: str
    jurisdiction: str
    scenario: str
    versions: list[tuple[datetime, str, str]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    closed: datetime | None = None
    reason: str | None = None
    breaches: list[tuple[str, list[str], datetime]] = field(default_factory=list)
    near_misses: list[tuple[str, list[str], datetime]] = field(default_factory=list)
