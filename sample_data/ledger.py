"""One debtor's ERP and bank records: invoices, credit notes, bank entries and allocations.

Amounts are integer cents. Invoices are issued phase by phase (between collection cases) with a
payment plan drawn from the debtor's habit; `realise` turns the plan into bank entries and
allocations up to a day (a case opening cancels what was planned after it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random

from sample_data.days import (
    DAY,
    Clock,
    add_bank_days,
    at_utc,
    bank_on_or_after,
    bank_on_or_before,
)
from sample_data.world import Debtor

COLLECTION_PATIENCE = {"B2B": 45, "B2C": 30}  # days past due before a case opens
MIN_PLACED = 1000  # cents: smaller overdue remainders never open a case
DELAYS = {  # days after the due date a habit pays (negative: early)
    "slow": (3, 28),
    "chronic_late": (15, 60),
    "non_payer": (0, 25),
    "partial": (0, 20),
}
REMIT_WORD = {"FR": "Facture", "DE": "Rechnung", "GB": "Invoice", "US": "Invoice"}


@dataclass
class CreditNote:
    credit_id: str
    number: str
    invoice_id: str
    issue: date
    amount: int
    created: datetime


@dataclass
class Invoice:
    invoice_id: str
    number: str
    issue: date
    due: date
    amount: int
    created: datetime
    plan: list[tuple[date, int]] = field(default_factory=list)  # (value date, cents)
    plan_credit: tuple[date, int] | None = None
    credits: list[CreditNote] = field(default_factory=list)
    paid: int = 0

    @property
    def open(self) -> int:
        return self.amount - sum(c.amount for c in self.credits) - self.paid


@dataclass(frozen=True)
class Allocation:
    allocation_id: str
    invoice_id: str
    amount: int
    at: datetime


@dataclass
class BankEntry:
    entry_ref: str
    booking: date
    value: date
    amount: int
    credit: bool
    remittance: str | None
    allocations: list[Allocation] = field(default_factory=list)


class Ledger:
    """The ERP and bank side of one debtor, built as the simulation runs."""

    def __init__(self, debtor: Debtor, clock: Clock, rng: Random) -> None:
        self.d, self.clock, self.rng = debtor, clock, rng
        self.invoices: list[Invoice] = []
        self.credit_notes: list[CreditNote] = []
        self.entries: list[BankEntry] = []
        self._counts = {"doc": 0, "entry": 0, "alloc": 0}
        self._tag = f"{debtor.idx + 1:06d}"

    def _next(self, key: str) -> int:
        self._counts[key] += 1
        return self._counts[key]

    # --- invoices -------------------------------------------------------------------------
    def issue_phase(self, start: date, end: date) -> list[Invoice]:
        """Invoices from `start` to `end` at the debtor's rhythm, each with a payment plan."""
        rng = self.rng
        gap = (18, 42) if self.d.segment == "B2B" else (45, 160)
        day = start + timedelta(days=rng.randint(0, gap[1] // 2))
        out: list[Invoice] = []
        while (issue := bank_on_or_after(day)) <= end:
            n = self._next("doc")
            inv = Invoice(
                invoice_id=f"IN{self._tag}{n:03d}",
                number=f"INV-{issue.year}-{self._tag}{n:03d}",
                issue=issue,
                due=issue + timedelta(days=self.d.terms),
                amount=self._amount(),
                created=at_utc(issue, rng.randint(16 * 3600, 20 * 3600)),
            )
            self._plan(inv)
            out.append(inv)
            day = issue + timedelta(days=rng.randint(*gap))
        self.invoices.extend(out)
        return out

    def _amount(self) -> int:
        if self.d.segment == "B2B":
            units = min(80_000.0, max(120.0, self.rng.lognormvariate(math.log(1800), 0.9)))
            return round(units * 100)
        units = min(4_000.0, max(12.0, self.rng.lognormvariate(math.log(110), 0.8)))
        return round(units * 10) * 10

    def _plan(self, inv: Invoice) -> None:
        rng, habit = self.rng, self.d.habit
        net = inv.amount
        if rng.random() < 0.04:
            share = 1.0 if rng.random() < 0.25 else rng.uniform(0.05, 0.5)
            cents = max(100, min(inv.amount, round(inv.amount * share)))
            day = bank_on_or_after(inv.issue + timedelta(days=rng.randint(2, 20)))
            inv.plan_credit = (day, cents)
            net -= cents
        if net <= 0 or (self.d.stop_from is not None and inv.issue >= self.d.stop_from):
            return
        if habit == "partial" and rng.random() < 0.7 and net >= 200:
            first = round(net * rng.uniform(0.4, 0.9))
            inv.plan.append((self._pay_day(inv, rng.randint(-3, 20)), first))
            if rng.random() < 0.8:
                inv.plan.append((self._pay_day(inv, rng.randint(25, 55)), net - first))
            return
        if habit == "on_time":
            delay = -rng.randint(0, 12) if rng.random() < 0.55 else rng.randint(0, 4)
        else:
            delay = rng.randint(*DELAYS[habit])
        inv.plan.append((self._pay_day(inv, delay), net))

    def _pay_day(self, inv: Invoice, delay: int) -> date:
        day = bank_on_or_after(max(inv.issue + DAY, inv.due + timedelta(days=delay)))
        if self.d.batch_payer:  # weekly payment run on Thursdays
            day = bank_on_or_after(day + timedelta(days=(3 - day.weekday()) % 7))
        return day

    def drop_from(self, invoices: list[Invoice], day: date) -> list[Invoice]:
        """Credit hold: invoices the phase would have issued from `day` on are never issued."""
        gone = {inv.invoice_id for inv in invoices if inv.issue >= day}
        self._counts["doc"] -= len(gone)  # they were the last numbers drawn: no gap in numbering
        self.invoices = [inv for inv in self.invoices if inv.invoice_id not in gone]
        return [inv for inv in invoices if inv.invoice_id not in gone]

    def find_trigger(self, invoices: list[Invoice]) -> date | None:
        """First day an invoice is past the collection patience with money still owed."""
        patience = timedelta(days=COLLECTION_PATIENCE[self.d.segment])
        best: date | None = None
        for inv in invoices:
            check = inv.due + patience
            if check > self.clock.horizon or (best is not None and check >= best):
                continue
            credit = inv.plan_credit[1] if inv.plan_credit and inv.plan_credit[0] <= check else 0
            paid = sum(c for day, c in inv.plan if day < check)
            if inv.amount - credit - paid >= MIN_PLACED:
                best = check
        return best

    # --- money movements ------------------------------------------------------------------
    def realise(self, invoices: list[Invoice], before: date | None = None) -> None:
        """Book planned credit notes and payments dated before `before` (all if None)."""
        last = self.clock.horizon if before is None else min(before - DAY, self.clock.horizon)
        runs: dict[tuple[date, str], list[tuple[Invoice, int]]] = {}
        for inv in invoices:
            if inv.plan_credit and inv.plan_credit[0] <= last:
                self.credit(inv, *inv.plan_credit)
                inv.plan_credit = None
            budget = inv.open
            for value, planned in inv.plan:
                cents = min(planned, budget)
                if value <= last and cents > 0:
                    key = (value, "" if self.d.batch_payer else inv.invoice_id)
                    runs.setdefault(key, []).append((inv, cents))
                    budget -= cents
            inv.plan = [(value, cents) for value, cents in inv.plan if value > last]
        for (value, _), parts in sorted(runs.items(), key=lambda kv: kv[0]):
            extra = 0
            if self.rng.random() < 0.015:  # over-payment: paid twice, or rounded up
                total = sum(c for _, c in parts)
                extra = total if self.rng.random() < 0.5 else 10_000 - total % 10_000
            entry = self.pay(value, parts, extra=extra)
            if extra and self.rng.random() < 0.6:
                refund_day = bank_on_or_after(
                    entry.booking + timedelta(days=self.rng.randint(8, 30))
                )
                if refund_day <= self.clock.horizon:
                    self._entry(refund_day, refund_day, extra, False, "Refund of overpayment")

    @staticmethod
    def cancel_plans(invoices: list[Invoice]) -> None:
        """A case opened: what the habit would have paid or credited later never happens."""
        for inv in invoices:
            inv.plan, inv.plan_credit = [], None

    def credit(self, inv: Invoice, day: date, cents: int) -> CreditNote:
        n = self._next("doc")
        note = CreditNote(
            credit_id=f"CN{self._tag}{n:03d}",
            number=f"CN-{day.year}-{self._tag}{n:03d}",
            invoice_id=inv.invoice_id,
            issue=day,
            amount=cents,
            created=at_utc(day, self.rng.randint(16 * 3600, 20 * 3600)),
        )
        inv.credits.append(note)
        self.credit_notes.append(note)
        return note

    def pay(
        self,
        value: date,
        parts: list[tuple[Invoice, int]],
        extra: int = 0,
        remittance: str | None = None,
    ) -> BankEntry:
        """A credit transfer from the debtor (value date a bank day <= horizon) allocated to
        `parts` by the ERP a few days after booking."""
        rng = self.rng
        last_bank_day = bank_on_or_before(self.clock.horizon)
        booking = max(
            value, min(add_bank_days(value, rng.choice((0, 0, 0, 1, 1, 2))), last_bank_day)
        )
        allocated = min(add_bank_days(booking, rng.choice((0, 0, 1, 2))), self.clock.horizon)
        at = at_utc(allocated, rng.randint(7 * 3600, 18 * 3600))
        if remittance is None:
            remittance = self._remittance(value, [inv for inv, _ in parts])
        entry = self._entry(booking, value, sum(c for _, c in parts) + extra, True, remittance)
        for inv, cents in parts:
            inv.paid += cents
            alloc_id = f"AL{self._tag}{self._next('alloc'):04d}"
            entry.allocations.append(Allocation(alloc_id, inv.invoice_id, cents, at))
        return entry

    def pay_oldest(
        self, invoices: list[Invoice], value: date, cents: int, remittance: str | None
    ) -> BankEntry:
        """A payment allocated to the oldest open invoices first."""
        parts, left = [], cents
        for inv in sorted(invoices, key=lambda i: (i.due, i.invoice_id)):
            take = min(left, inv.open)
            if take > 0:
                parts.append((inv, take))
                left -= take
        if left:
            raise ValueError(f"payment of {cents} cents exceeds the open balance by {left}")
        return self.pay(value, parts, remittance=remittance)

    def _entry(
        self, booking: date, value: date, cents: int, credit: bool, remittance: str | None
    ) -> BankEntry:
        ref = f"{self.d.currency}{booking:%Y%m%d}{self._tag}{self._next('entry'):03d}"
        entry = BankEntry(ref, booking, value, cents, credit, remittance)
        self.entries.append(entry)
        return entry

    def _remittance(self, value: date, invoices: list[Invoice]) -> str | None:
        roll = self.rng.random()
        if roll < 0.06:
            return None
        numbers = " ".join(inv.number for inv in invoices)
        if len(invoices) > 1:
            return f"Payment run {value.isoformat()} {numbers}"[:140]
        if self.d.segment == "B2C" and roll < 0.5:
            return f"{REMIT_WORD[self.d.country]} {numbers}"
        return numbers


def balance(invoices: list[Invoice]) -> int:
    return sum(max(0, inv.open) for inv in invoices)
