"""Scripts of collection cases: how a case unfolds from placement to closure.

Each script drives a `CaseSim`; when the history ends first (`Horizon`), the case is left open
as it stands at as_of (pending promise, ongoing plan, dispute under review...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sample_data.breaches import contact_despite, first_contact_slip, reminder_during_dispute
from sample_data.casesim import CaseSim
from sample_data.days import bank_on_or_after, fmt_amount
from sample_data.near_misses import call_on_resolution_day
from sample_data.records import Horizon
from sample_data.world import weighted

SUCCESS = frozenset({"paid_in_full", "plan_completed", "settled"})
DISPUTE_REASONS = ("goods_not_received", "wrong_amount", "quality_issue", "already_paid")
SCENARIOS_BY_HABIT: dict[str, tuple[tuple[str, int], ...]] = {
    "on_time": (("quick_pay", 6), ("promise_kept", 3), ("dispute_upheld", 1)),
    "slow": (
        ("quick_pay", 5),
        ("promise_kept", 3),
        ("broken_then_kept", 1),
        ("dispute_rejected", 1),
    ),
    "chronic_late": (
        ("quick_pay", 4),
        ("promise_kept", 3),
        ("broken_then_kept", 2),
        ("settled", 1),
        ("dispute_rejected", 1),
    ),
    "partial": (
        ("promise_kept", 3),
        ("payment_plan", 3),
        ("partial_then_plan", 2),
        ("settled", 1),
        ("dispute_upheld", 1),
    ),
    "non_payer": (
        ("litigation", 4),
        ("written_off", 2),
        ("payment_plan", 1),
        ("cease", 1),
        ("attorney", 1),
        ("reopened", 1),
    ),
}


def opening(s: CaseSim) -> None:
    s.event("assigned", {"agent_id": s.agent.agent_id})
    s.stage("reminder", by_agent=False)
    if not first_contact_slip(s):
        s.message("letter", "first_notice")
    if s.slip == "FR-NO-FEES":  # amicable recovery costs charged to a French consumer
        s.wait(1, 3)
        s.slot()
        s.breach("FR-NO-FEES", [s.fee(4000, "late_payment_compensation")], s.t)
    elif s.d.segment == "B2B" and s.rng.random() < 0.3:
        s.wait(1, 3)
        s.slot()
        s.fee(4000, "late_payment_compensation")
    s.wait(5, 8)
    s.reminder()


def contact(s: CaseSim) -> None:
    s.wait(4, 8)
    if s.rng.random() < 0.06:  # workload balancing by the supervisor
        s.slot()
        s.reassign(s.agents.supervisor[s.d.team].agent_id)
    s.stage("contact")


def quick_pay(s: CaseSim) -> None:
    opening(s)
    value = bank_on_or_after(s.t.date() + timedelta(days=s.rng.randint(1, 12)))
    s.pay(value, s.balance())
    s.close("paid_in_full")


def promise_kept(s: CaseSim, pending: bool = False) -> None:
    opening(s)
    contact(s)
    made = s.reach("promise_to_pay")
    not_before = s.clock.horizon + timedelta(days=10) if pending else None
    s.promise(s.balance(), "kept", made, not_before=not_before)
    s.close("paid_in_full")


def broken_then_kept(s: CaseSim) -> None:
    opening(s)
    contact(s)
    s.after(s.promise(s.balance(), "broken", s.reach("promise_to_pay")))
    if s.rng.random() < 0.25:
        s.wait(4, 15)  # nobody follows the broken promise up for a while
    s.stage("negotiation")
    s.promise(s.balance(), "kept", s.reach("promise_to_pay"))
    s.close("paid_in_full")


def plan(s: CaseSim, n: int) -> None:
    """A payment plan of `n` monthly instalments, each promised after the previous window."""
    made = s.reach("promise_to_pay")
    s.stage("payment_plan")
    for k in range(n):
        left = n - k
        if k > 0:
            s.wait(8, 18)
            made = s.reach("promise_to_pay")
        amount = s.balance() // left
        if left == 1 or amount < 500:
            s.promise(s.balance(), "kept", made, days=(7, 14))
            s.close("plan_completed")
            return
        intended = weighted(s.rng, (("kept", 80), ("short", 10), ("broken", 10)))
        s.after(s.promise(amount, intended, made, days=(7, 14)))


def payment_plan(s: CaseSim) -> None:
    opening(s)
    contact(s)
    s.reach("right_party_contact")
    s.stage("negotiation")
    plan(s, s.rng.randint(3, 6))


def partial_then_plan(s: CaseSim) -> None:
    opening(s)
    contact(s)
    s.after(s.promise(s.balance(), "partially_kept", s.reach("promise_to_pay")))
    s.stage("negotiation")
    plan(s, s.rng.randint(2, 4))


def settled(s: CaseSim) -> None:
    opening(s)
    contact(s)
    s.reach("right_party_contact")
    s.stage("negotiation")
    made = s.reach("promise_to_pay")
    p = s.promise(round(s.balance() * s.rng.uniform(0.6, 0.9)), "kept", made)
    s.close("settled", paid_by=p)


def dispute(s: CaseSim, upheld: bool) -> None:
    opening(s)
    contact(s)
    made = s.reach("dispute")
    target = max(s.invoices, key=lambda inv: (inv.open, inv.invoice_id))
    dispute_id = s.ids("DP")
    payload = {
        "dispute_id": dispute_id,
        "invoice_id": target.invoice_id,
        "reason": s.rng.choice(DISPUTE_REASONS),
    }
    opened = s.event("dispute_opened", payload, s.agent.agent_id, at=made + timedelta(seconds=60))
    if s.slip == "US-DISPUTE":
        reminder_during_dispute(s, opened)
    s.wait(10, 40)  # no contact while the dispute is under review
    s.slot()
    outcome = "upheld" if upheld else "rejected"
    payload = {"dispute_id": dispute_id, "outcome": outcome}
    call_on_resolution_day(s, s.event("dispute_resolved", payload, s.agent.agent_id))
    if upheld:
        s.ledger.credit(target, s.t.date(), target.open)
        if s.balance() == 0:
            s.close("settled")
            return
    else:
        s.message("letter", "dispute_outcome")
        if s.rng.random() < 0.4:
            escalate(s)
            return
    s.promise(s.balance(), "kept", s.reach("promise_to_pay"))
    s.close("paid_in_full")


def escalate(s: CaseSim) -> None:
    """Formal demand, then pre-litigation, then referral (the demand >= 8 days before)."""
    s.stage("formal_demand")
    sent = s.message("registered_letter", "formal_demand")
    if s.slip == "ANY-LITIGATION-NOTICE":  # referred a few days after the demand
        s.stage("pre_litigation")
        s.wait(1, 2)
        s.slot()
        referral = refer(s)
        if s.t - sent < timedelta(days=7):
            s.breach(s.slip, [referral], s.t)
        s.close("litigation")
        return
    s.wait(9, 20)
    s.stage("pre_litigation")
    if s.d.segment == "B2B":  # the costs of the pre-litigation file, charged to a business
        s.fee(15_000, "collection_costs")
    s.wait(5, 20)
    s.slot()
    refer(s)
    s.close("litigation")


def refer(s: CaseSim) -> str:
    payload = {
        "amount": fmt_amount(s.balance()),
        "currency": s.c.currency,
        "reason": s.rng.choice(("no_response", "broken_promises", "refusal_to_pay")),
    }
    return s.event("referred_to_litigation", payload, s.agent.agent_id)


def litigation(s: CaseSim) -> None:
    opening(s)
    contact(s)
    branch = s.rng.random()
    if branch < 0.4:
        s.fail_calls(s.rng.randint(4, 8))
    elif branch < 0.7:
        s.reach("refusal")
    else:
        s.after(s.promise(s.balance(), "broken", s.reach("promise_to_pay")))
    escalate(s)


def unfollowed(s: CaseSim) -> None:
    """A promise renegotiated in its grace days, the new promise broken too, and then nobody
    follows it up: the case waits untouched, stuck (broken_promise_no_follow_up), up to as_of.
    The debtor calls back the day after the first promise's date and promises again: the newer
    promise replaces the first, whose window then ends the day before (simulate.window_end),
    and that call is its follow-up."""
    opening(s)
    contact(s)
    first = s.promise(s.balance(), "broken", s.reach("promise_to_pay"))
    s.t = max(s.t, datetime.combine(first.promised + timedelta(days=1), time(7)))
    s.promise(s.balance(), "broken", s.call("promise_to_pay", inbound=True))


def written_off(s: CaseSim) -> None:
    s.unreachable = True
    opening(s)
    contact(s)
    s.fail_calls(s.rng.randint(5, 10))
    s.stage("formal_demand")
    s.message("registered_letter", "formal_demand")
    s.wait(30, 60)
    s.slot()
    s.close("written_off")


def cease(s: CaseSim) -> None:
    opening(s)
    contact(s)
    made = s.reach("refusal")
    request = s.event("cease_requested", {}, s.agent.agent_id, at=made + timedelta(seconds=90))
    s.silent = True
    if s.slip == "US-CEASE":
        contact_despite(s, request)
    s.wait(30, 90)  # no contact after a cease request
    s.slot()
    s.close("written_off")


def attorney(s: CaseSim) -> None:
    opening(s)
    contact(s)
    made = s.reach("right_party_contact")
    known = s.event("attorney_represented", {}, s.agent.agent_id, at=made + timedelta(seconds=60))
    s.silent = True
    if s.slip == "US-ATTORNEY":
        contact_despite(s, known)
    s.wait(10, 30)  # from now on only the attorney is contacted (not logged as contacts)
    s.stage("negotiation")
    s.wait(3, 10)
    s.slot()
    p = s.promise(round(s.balance() * s.rng.uniform(0.7, 0.95)), "kept")
    s.close("settled", paid_by=p)


def former(s: CaseSim) -> None:
    """The former debtor's case, years before the history (breaches.FORMER_DEBTOR): letters
    and reminders only (today's agents need not have been active then), a formal demand, no
    answer, written off; the relationship ended there."""
    s.unreachable = True
    opening(s)
    s.stage("formal_demand")
    s.message("registered_letter", "formal_demand")
    s.wait(30, 60)
    s.slot()
    s.close("written_off")


def reopened(s: CaseSim) -> None:
    written_off(s)
    s.wait(30, 90)
    s.slot()
    s.c.closed, s.c.reason = None, None
    s.event("reopened", {}, s.agents.supervisor[s.d.team].agent_id)
    s.unreachable = False
    s.event("assigned", {"agent_id": s.agent.agent_id}, s.agents.supervisor[s.d.team].agent_id)
    s.stage("contact")
    s.promise(s.balance(), "kept", s.reach("promise_to_pay"))
    s.close("paid_in_full")


SCRIPTS: dict[str, Callable[[CaseSim], None]] = {
    "quick_pay": quick_pay,
    "promise_kept": promise_kept,
    "pending": lambda s: promise_kept(s, pending=True),
    "broken_then_kept": broken_then_kept,
    "payment_plan": payment_plan,
    "partial_then_plan": partial_then_plan,
    "settled": settled,
    "dispute_upheld": lambda s: dispute(s, upheld=True),
    "dispute_rejected": lambda s: dispute(s, upheld=False),
    "litigation": litigation,
    "written_off": written_off,
    "cease": cease,
    "attorney": attorney,
    "reopened": reopened,
    "unfollowed": unfollowed,
    "former": former,
}


def run_script(sim: CaseSim, scenario: str) -> None:
    with contextlib.suppress(Horizon):
        SCRIPTS[scenario](sim)
    sim.c.events.sort(key=lambda e: e.at)
