"""The case tool's side of one collection case: a cursor in time that scripts move forward,
recording events, calls, messages and promises, and paying through the debtor's ledger.

Contacts respect the rule packs of DESIGN.md §5 by construction: calls and messages in the
debtor's local business hours (09:00-18:30) on contact days only, at most one outbound call a day
(so never more than 7 in 7 days), no outbound call for 7 days after a conversation, the
`first_notice` letter as the first contact, and no contact during a dispute, after a cease
request or after an attorney is known.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from random import Random

from sample_data.breaches import ODD_HOURS, burst
from sample_data.days import (
    BUSINESS_HOURS,
    DAY,
    Clock,
    at_utc,
    bank_on_or_after,
    bank_on_or_before,
    fmt_amount,
    is_contact_day,
    local_to_utc,
)
from sample_data.ledger import Invoice, Ledger, balance
from sample_data.near_misses import HOURS_END
from sample_data.records import Call, Case, Event, Horizon, Ids, Message, Promise
from sample_data.world import Agent, AgentPool, Debtor, weighted

GRACE_DAYS = 3
WEEK = timedelta(days=7)
FAILED_CALLS = (("no_answer", 45), ("voicemail", 30), ("busy", 12), ("wrong_party", 8))
CONVERSATIONS = frozenset({"right_party_contact", "promise_to_pay", "refusal", "dispute"})
DURATION = {
    "no_answer": (0, 0),
    "busy": (0, 0),
    "voicemail": (15, 60),
    "wrong_party": (10, 90),
    "right_party_contact": (60, 600),
    "promise_to_pay": (180, 900),
    "refusal": (30, 240),
    "dispute": (120, 720),
}
MESSAGE_OUTCOMES = {
    "letter": (("delivered", 70), ("sent", 25), ("returned", 5)),
    "registered_letter": (("delivered", 85), ("returned", 15)),
    "email": (("delivered", 40), ("opened", 45), ("bounced", 10), ("sent", 5)),
    "sms": (("delivered", 90), ("sent", 10)),
    "portal": (("delivered", 60), ("opened", 40)),
}
UNREACHABLE_OUTCOMES = {"letter": "returned", "registered_letter": "returned", "email": "bounced"}


class CaseSim:
    """State and primitives the scenario scripts use."""

    def __init__(
        self,
        case: Case,
        debtor: Debtor,
        invoices: list[Invoice],
        ledger: Ledger,
        agents: AgentPool,
        clock: Clock,
        rng: Random,
        ids: Ids,
    ) -> None:
        self.c, self.d, self.invoices, self.ledger = case, debtor, invoices, ledger
        self.agents, self.clock, self.rng, self.ids = agents, clock, rng, ids
        self.t = case.opened
        self.end = datetime.combine(clock.as_of, time())  # nothing happens from as_of on
        self.agent: Agent = agents.pick(debtor.team, case.opened.date(), rng)
        case.versions.append((case.opened, self.agent.agent_id, case.strategy))
        self.day = case.opened.date()  # local day of the last contact slot
        self.next_call = case.opened.date()
        self.last_alloc: datetime | None = None
        self.unreachable = False
        self.silent = False  # no more contact: a cease request or an attorney
        self.slip: str | None = None  # the rule this case breaks on purpose (breaches.py)
        self.near: str | None = None  # the rule this case grazes on purpose (near_misses.py)
        self.conversation: tuple[str, date] | None = None  # last call with the debtor, its day

    # --- time -----------------------------------------------------------------------------
    def check(self, at: datetime) -> datetime:
        if at >= self.end:
            raise Horizon
        return at

    def wait(self, lo: int, hi: int) -> None:
        self.t += timedelta(days=self.rng.randint(lo, hi))

    def slot(
        self, earliest: date | None = None, hours: tuple[int, int] = BUSINESS_HOURS
    ) -> datetime:
        """Move to the next contact moment (local business hours) after the cursor."""
        day = max(self.t.date() - DAY, earliest or self.t.date() - DAY)
        while True:
            if is_contact_day(self.d.country, day):
                seconds = self.rng.randint(*hours)
                at = local_to_utc(day, seconds, self.d.timezone)
                if at > self.t:
                    break
            day += DAY
        self.t, self.day = self.check(at), day
        if self.agent.active_to is not None and max(day, at.date()) > self.agent.active_to:
            self.reassign(self.agents.supervisor[self.d.team].agent_id)
        return at

    # --- case tool records ----------------------------------------------------------------
    def event(self, etype: str, payload: dict, actor: str | None = None, at=None) -> str:
        at = self.check(at or self.t)
        event_id = self.ids("EV")
        self.c.events.append(Event(event_id, at, etype, actor or "system", payload))
        return event_id

    def breach(self, rule: str, evidence: list[str], at: datetime) -> None:
        self.c.breaches.append((rule, evidence, at))
        self.slip = None

    def near_miss(self, rule: str, evidence: list[str], at: datetime) -> None:
        """`evidence[-1]`: the record that must not be flagged under `rule`."""
        self.c.near_misses.append((rule, evidence, at))
        self.near = None

    def stage(self, name: str, by_agent: bool = True) -> None:
        if by_agent:
            self.slot()
        self.event("stage_changed", {"stage": name}, self.agent.agent_id if by_agent else None)

    def reassign(self, actor: str) -> None:
        new = self.agents.pick(self.d.team, self.t.date(), self.rng, exclude=self.agent.agent_id)
        self.agent = new
        self.event("assigned", {"agent_id": new.agent_id}, actor)
        self.c.versions.append((self.t, new.agent_id, self.c.strategy))

    def fee(self, cents: int, reason: str) -> str:
        payload = {"amount": fmt_amount(cents), "currency": self.c.currency, "reason": reason}
        return self.event("fee_charged", payload, self.agent.agent_id)

    # --- contacts -------------------------------------------------------------------------
    def call(self, outcome: str, inbound: bool = False) -> datetime:
        assert not self.silent, f"{self.c.case_id}: no contact after a cease request or attorney"
        if not inbound:
            self.wait(*self.d.profile.call_gap[self.c.strategy])
        odd = None if inbound else ODD_HOURS.get(self.slip or "")
        end = None if inbound or odd else HOURS_END.get(self.near or "")
        at = self.slot(None if inbound else self.next_call, odd or end or BUSINESS_HOURS)
        lo, hi = DURATION[outcome]
        direction = "inbound" if inbound else "outbound"
        call = Call(
            self.ids("CL"), at, self.agent.agent_id, direction, self.rng.randint(lo, hi), outcome
        )
        self.c.calls.append(call)
        if odd:
            self.breach(self.slip or "", [call.contact_id], at)
        if end:
            self.near_miss(self.near or "", [call.contact_id], at)
        talk = self.conversation
        if self.slip == "US-AFTER-CONV" and not inbound and talk and self.day < talk[1] + WEEK:
            self.breach("US-AFTER-CONV", [talk[0], call.contact_id], at)
            # one breach planted: the next call waits for the conversation's window to close
            self.next_call = max(self.next_call, talk[1] + WEEK)
        gap = timedelta(days=1)
        if outcome in CONVERSATIONS:
            self.conversation = (call.contact_id, self.day)
            gap = timedelta(days=3) if self.slip == "US-AFTER-CONV" else WEEK + DAY
        self.next_call = max(self.next_call, self.day + gap)
        return at

    def fail_calls(self, n: int) -> None:
        if n and self.slip == "US-7IN7" and (made := burst(self, 8)):
            self.breach("US-7IN7", [c.contact_id for c in made], made[-1].at)
            n -= 1
        elif self.near == "US-7IN7" and self.slip != "US-7IN7" and (made := burst(self, 7)):
            self.near_miss("US-7IN7", [c.contact_id for c in made], made[-1].at)
        for _ in range(n):
            self.call(weighted(self.rng, FAILED_CALLS))
            if self.rng.random() < self.d.profile.reminder_share:
                self.reminder()

    def reach(self, final: str) -> datetime:
        """Call until the debtor answers; the conversation that counts ends with `final`
        (often after a first one where the debtor only asks for time or documents)."""
        talks = 2 if final != "right_party_contact" and self.rng.random() < 0.4 else 1
        for talk in range(talks):
            tries = 1
            while self.rng.random() > self.d.reachability and tries < self.d.profile.max_tries:
                tries += 1
            self.fail_calls(tries - 1)
            if self.rng.random() < 0.1:  # the debtor writes through the portal
                self.inbound_message()
            outcome = final if talk == talks - 1 else "right_party_contact"
            if self.rng.random() < 0.15:  # the debtor calls back
                self.wait(0, 2)
                at = self.call(outcome, inbound=True)
            else:
                at = self.call(outcome)
        return at

    def inbound_message(self) -> None:
        at = self.slot()
        msg = Message(self.ids("MS"), at, None, "portal", "inbound", None, "delivered")
        self.c.messages.append(msg)

    def message(self, channel: str, template: str | None, by_agent: bool = False) -> datetime:
        assert not self.silent, f"{self.c.case_id}: no contact after a cease request or attorney"
        at = self.slot()
        outcome = weighted(self.rng, MESSAGE_OUTCOMES[channel])
        if self.unreachable and channel in UNREACHABLE_OUTCOMES and self.rng.random() < 0.6:
            outcome = UNREACHABLE_OUTCOMES[channel]
        agent = self.agent.agent_id if by_agent else None
        msg = Message(self.ids("MS"), at, agent, channel, "outbound", template, outcome)
        self.c.messages.append(msg)
        return at

    def reminder(self) -> None:
        options = [c for c, ok in (("email", self.d.email), ("sms", self.d.phone)) if ok]
        if self.c.strategy == "intensive" and "sms" in options:
            channel = "sms"
        else:
            channel = self.rng.choice(options or ["letter"])
        self.message(channel, "reminder")

    # --- money ----------------------------------------------------------------------------
    def balance(self) -> int:
        return balance(self.invoices)

    def pay(self, value: date, cents: int, promise: Promise | None = None) -> None:
        """A case payment, if its value date is within the history."""
        if value > self.clock.horizon or cents <= 0:
            return
        remittance = self.c.case_id if self.rng.random() < 0.5 else None
        entry = self.ledger.pay_oldest(self.invoices, value, cents, remittance)
        at = entry.allocations[-1].at
        self.last_alloc = at if self.last_alloc is None else max(self.last_alloc, at)
        if promise is not None:
            promise.paid += cents

    def promise(
        self,
        amount: int,
        intended: str,
        made: datetime | None = None,
        days: tuple[int, int] = (7, 21),
        not_before: date | None = None,
    ) -> Promise:
        made = (made or self.t) + timedelta(seconds=30)  # recorded just after the call
        promised = made.date() + timedelta(days=self.rng.randint(*days))
        if not_before is not None and promised < not_before:
            promised = not_before
        p = Promise(self.ids("PR"), made, amount, promised, intended)
        payload = {
            "promise_id": p.promise_id,
            "amount": fmt_amount(amount),
            "currency": self.c.currency,
            "promised_date": promised.isoformat(),
        }
        self.event("promise_made", payload, self.agent.agent_id, at=made)
        self.c.promises.append(p)
        for value, cents in self._instalments(p):
            self.pay(value, cents, p)
        if self.d.email and not self.silent and self.rng.random() < 0.4:
            self.message("email", "promise_confirmation", by_agent=True)
        return p

    def _instalments(self, p: Promise) -> list[tuple[date, int]]:
        rng, start = self.rng, p.made.date()
        end = p.promised + timedelta(days=GRACE_DAYS)
        first = bank_on_or_after(start)

        def near(target: date) -> date:
            return max(first, bank_on_or_before(min(target, end)))

        target = p.promised + timedelta(days=rng.randint(-4, 2))
        if p.intended == "partially_kept":
            return [(near(target), max(1, round(p.amount * rng.uniform(0.2, 0.7))))]
        if p.intended not in ("kept", "short"):
            return []
        amount = p.amount
        if p.intended == "short" and amount > 200:
            amount -= rng.randint(1, 90)  # within the tolerance of max(1 %, 1 unit)
        if amount >= 200 and rng.random() < 0.3:
            half = amount // 2
            early = start + timedelta(days=rng.randint(0, max(0, (p.promised - start).days // 2)))
            return [(near(early), half), (near(target), amount - half)]
        return [(near(target), amount)]

    def after(self, p: Promise) -> None:
        """Jump past the promise's window (promised date + grace)."""
        end = p.promised + timedelta(days=GRACE_DAYS + 1)
        self.t = max(self.t, datetime.combine(end, time(7)))

    def close(self, reason: str, paid_by: Promise | None = None) -> None:
        """Close the case. Paid closures wait for the money: the balance (or, for a settlement,
        the promise) must be paid, and the case closes the bank day after the allocation."""
        actor = self.agent.agent_id
        if reason in ("paid_in_full", "plan_completed") or paid_by is not None:
            owed = paid_by.amount - paid_by.paid if paid_by is not None else self.balance()
            if owed > 0 or self.last_alloc is None:
                raise Horizon  # the money arrives after as_of: the case is still open
            day = bank_on_or_after(self.last_alloc.date() + DAY)
            self.t = max(self.t, at_utc(day, self.rng.randint(6 * 3600, 8 * 3600)))
            actor = "system"
        else:
            self.t += timedelta(minutes=self.rng.randint(2, 50))
        self.event("closed", {"reason": reason}, actor)
        if paid_by is not None:
            for inv in self.invoices:
                if inv.open > 0:
                    self.ledger.credit(inv, self.t.date(), inv.open)
        self.c.closed, self.c.reason = self.t, reason
