"""One debtor's life over the history: invoicing phases between collection cases.

A phase issues invoices at the debtor's rhythm and pays them by habit. When an invoice stays
unpaid past the collection patience, a case opens (placed amount = the overdue open amount),
invoicing stops (credit hold) and payments planned from then on are cancelled: money now comes
through the case. After a successful closure the invoices not yet due at placement are paid and
a new phase starts; after a write-off or a litigation referral the relationship ends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from sample_data.breaches import (
    FORMER_CASE_DAYS,
    FORMER_DEBTOR,
    RETENTION,
    Slips,
    retention_slip,
    years_after,
)
from sample_data.casesim import GRACE_DAYS, CaseSim
from sample_data.days import DAY, Clock, at_utc, bank_on_or_after
from sample_data.ledger import Ledger, balance
from sample_data.profiles import STANDARD, Profile
from sample_data.records import Case, Ids
from sample_data.scenarios import SCENARIOS_BY_HABIT, SUCCESS, run_script
from sample_data.world import AgentPool, Debtor, make_debtor, weighted

STRATEGIES = ("soft", "standard", "intensive")


@dataclass
class DebtorResult:
    debtor: Debtor
    ledger: Ledger
    cases: list[Case]


def debtor_rng(seed: int, idx: int) -> Random:
    return Random(seed * 1_000_003 + idx)


def simulate_debtor(
    idx: int,
    seed: int,
    clock: Clock,
    agents: AgentPool,
    slips: Slips,
    near_misses: Slips,
    profile: Profile = STANDARD,
) -> DebtorResult:
    rng = debtor_rng(seed, idx)
    debtor = make_debtor(idx, rng, clock, profile=profile)
    ledger = Ledger(debtor, clock, rng)
    ids = Ids(f"{idx + 1:06d}")
    cases: list[Case] = []
    start = max(clock.start, debtor.onboarded.date() + DAY)
    while start <= clock.horizon:
        phase = ledger.issue_phase(start, clock.horizon)
        trigger = ledger.find_trigger(phase)
        opened_day = bank_on_or_after(trigger) if trigger else None
        if opened_day is None or opened_day > clock.horizon:
            ledger.realise(phase)
            break
        phase = ledger.drop_from(phase, opened_day)
        ledger.realise(phase, before=opened_day)
        placed = [inv for inv in phase if inv.due < opened_day and inv.open > 0]
        waiting = [inv for inv in phase if inv.due >= opened_day and inv.open > 0]
        if balance(placed) == 0:  # paid meanwhile after all: no case, invoicing goes on
            ledger.realise(phase)
            start = opened_day
            continue
        ledger.cancel_plans(phase)
        case = _run_case(
            debtor, placed, opened_day, ledger, agents, clock, rng, ids, len(cases),
            (slips, near_misses),
        )  # fmt: skip
        cases.append(case)
        if case.reason not in SUCCESS or case.closed is None:
            break
        closed = case.closed.date()
        for inv in waiting:
            value = bank_on_or_after(max(inv.due, closed) + timedelta(days=rng.randint(1, 10)))
            if value <= clock.horizon and inv.open > 0:
                ledger.pay(value, [(inv, inv.open)])
        debtor.stop_from = None
        start = closed + timedelta(days=rng.randint(10, 40))
    return DebtorResult(debtor, ledger, cases)


def simulate_former_debtor(
    idx: int, seed: int, clock: Clock, agents: AgentPool, years: int
) -> DebtorResult:
    """The former debtor (breaches.FORMER_DEBTOR), hosting ANY-RETENTION: onboarded years
    before the history, its only case opened FORMER_CASE_DAYS days before the retention period
    of `years` years that ends at as_of, written off well within those days; no invoice of it
    is in the ERP extract, which starts with the history."""
    rng = debtor_rng(seed, idx)
    debtor = make_debtor(idx, rng, clock, forced=FORMER_DEBTOR)
    start = years_after(clock.as_of, -years)  # of the retention period ending at as_of
    opened_day = bank_on_or_after(start - timedelta(days=FORMER_CASE_DAYS))
    onboarded = at_utc(opened_day - timedelta(days=rng.randint(400, 900)), 10 * 3600)
    debtor = replace(debtor, onboarded=onboarded, updated=None, scenario=None)
    ledger = Ledger(debtor, clock, rng)
    case = Case(
        case_id=f"CS{debtor.idx + 1:06d}01",
        debtor_id=debtor.debtor_id,
        opened=at_utc(opened_day, rng.randint(6 * 3600, 7 * 3600)),
        placed=rng.randint(200, 3000) * 100,
        currency=debtor.currency,
        strategy="soft",
        jurisdiction=debtor.jurisdiction,
        scenario=FORMER_DEBTOR[0],
    )
    sim = CaseSim(case, debtor, [], ledger, agents, clock, rng, Ids(f"{idx + 1:06d}"))
    sim.slip = RETENTION
    run_script(sim, case.scenario)
    retention_slip(sim, years)
    return DebtorResult(debtor, ledger, [case])


def _run_case(
    debtor: Debtor,
    placed: list,
    opened_day: date,
    ledger: Ledger,
    agents: AgentPool,
    clock: Clock,
    rng: Random,
    ids: Ids,
    n: int,
    plants: tuple[Slips, Slips],
) -> Case:
    amount = balance(placed)
    scenario = debtor.scenario or weighted(rng, SCENARIOS_BY_HABIT[debtor.habit])
    debtor.scenario = None
    case = Case(
        case_id=f"CS{debtor.idx + 1:06d}{n + 1:02d}",
        debtor_id=debtor.debtor_id,
        opened=at_utc(opened_day, rng.randint(6 * 3600, 7 * 3600)),
        placed=amount,
        currency=debtor.currency,
        strategy=_strategy(rng, debtor, amount),
        jurisdiction=debtor.jurisdiction,
        scenario=scenario,
    )
    sim = CaseSim(case, debtor, placed, ledger, agents, clock, rng, ids)
    slips, near_misses = plants
    sim.slip = slips.pick(debtor, scenario, rng)
    sim.near = near_misses.pick(debtor, scenario, rng)
    run_script(sim, scenario)
    slips.planted |= {rule for rule, _, _ in case.breaches}
    near_misses.planted |= {rule for rule, _, _ in case.near_misses}
    return case


def _strategy(rng: Random, debtor: Debtor, placed: int) -> str:
    if rng.random() < 0.2:
        return rng.choice(STRATEGIES)
    if debtor.habit == "non_payer" or placed > 1_000_000:
        return "intensive"
    if placed < 30_000 or debtor.habit in ("on_time", "slow"):
        return "soft"
    return "standard"


def window_end(promised: date, grace: int = GRACE_DAYS, replaced_on: date | None = None) -> date:
    """The last day a payment counts toward a promise: promised date + grace, or, when a newer
    promise on the same case is made by then (`replaced_on`, the newer one's made date), the
    day before: the newer promise supersedes it, and payments from that day count toward the
    newer one only (marts.fct_promises.window_end_date)."""
    end = promised + timedelta(days=grace)
    if replaced_on is not None and replaced_on <= end:
        return replaced_on - DAY
    return end


def promise_outcome(
    amount: int,
    made: date,
    promised: date,
    payments: list[tuple[date, int]],
    as_of: date,
    grace: int = GRACE_DAYS,
    tolerance_pct: float = 1.0,
    tolerance_units: float = 1.0,
    replaced_on: date | None = None,
) -> tuple[str, int]:
    """DESIGN.md §4 "Promises": (outcome, paid cents). `payments` (value date, cents) are the
    debtor's, all in its currency, which is its cases' and promises' currency. They count from
    the made_at date to the window's end (`window_end`: promised date + grace, or the day
    before a replacing promise), both included, up to as_of; kept once they reach the amount
    less max(tolerance_pct %, tolerance_units) (1 % or 1 unit by default), whether or not the
    window is still open."""
    end = window_end(promised, grace, replaced_on)
    paid = sum(c for day, c in payments if made <= day <= end and day <= as_of)
    pct = (Decimal(amount) * Decimal(str(tolerance_pct)) / 100).quantize(Decimal(1), ROUND_HALF_UP)
    tolerance = max(int(pct), round(tolerance_units * 100))  # cents, half-up like the SQL
    if paid >= amount - tolerance:
        return "kept", paid
    if as_of <= end:
        return "pending", paid
    return ("partially_kept" if paid > 0 else "broken"), paid
