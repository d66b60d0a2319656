from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from ingestion.contracts import EVENT_TYPES, STAGES
from sample_data.breaches import retention_years, years_after
from sample_data.days import Clock
from tests.sample_data.conftest import AS_OF
from tests.sample_data.landing import labels, latest, valid_rows

CONVERSATIONS = {"right_party_contact", "promise_to_pay", "refusal", "dispute"}
CLOSURES = {"paid_in_full", "plan_completed", "settled", "written_off", "litigation"}
PACKS = load_config(DEFAULT_CONFIG).dbt_vars()["rule_packs"]  # the packs the generator reads


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text[:-1])


def _events(out: Path) -> dict[str, list[dict]]:
    by_case: dict[str, list[dict]] = defaultdict(list)
    for e in latest(valid_rows(out, "cases_case_events"), "event_id").values():
        by_case[e["case_id"]].append(e)
    for events in by_case.values():
        events.sort(key=lambda e: e["occurred_at"])
    return by_case


def _contacts(out: Path) -> dict[str, list[dict]]:
    """Calls and messages per case, in time order, each with `at` and `kind`."""
    by_case: dict[str, list[dict]] = defaultdict(list)
    for c in valid_rows(out, "contacts_calls"):
        by_case[c["case_id"]].append(c | {"at": c["started_at"], "kind": "call"})
    for m in valid_rows(out, "contacts_messages"):
        by_case[m["case_id"]].append(m | {"at": m["sent_at"], "kind": "message"})
    for contacts in by_case.values():
        contacts.sort(key=lambda c: c["at"])
    return by_case


def _breaches(out: Path, *rules: str) -> list[dict]:
    return [b for b in labels(out, "breaches") if b["rule_id"] in rules]


def _expected_promise_outcomes(out: Path) -> dict[str, str]:
    """DESIGN.md §4 rule recomputed from the files: payments of the case's debtor (allocations
    to its invoices, dated by the bank entry's value date) from the made_at date to promised
    date + 3 days; tolerance max(1 %, 1 unit)."""
    cases = latest(valid_rows(out, "cases_cases"), "case_id", "updated_at")
    invoices = latest(valid_rows(out, "erp_invoices"), "invoice_id", "updated_at")
    value_date = {e["entry_ref"]: e["value_date"] for e in valid_rows(out, "bank_entries")}
    paid: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for a in valid_rows(out, "erp_payment_allocations"):
        debtor = invoices[a["invoice_id"]]["debtor_id"]
        paid[debtor].append((value_date[a["payment_ref"]], Decimal(a["amount"])))
    outcomes = {}
    for events in _events(out).values():
        for e in (e for e in events if e["event_type"] == "promise_made"):
            p = e["payload"]
            amount = Decimal(p["amount"])
            end = (date.fromisoformat(p["promised_date"]) + timedelta(days=3)).isoformat()
            debtor = cases[e["case_id"]]["debtor_id"]
            total = sum(
                (v for d, v in paid[debtor] if e["occurred_at"][:10] <= d <= end), Decimal(0)
            )
            if total >= amount - max(amount / 100, Decimal(1)):
                outcomes[p["promise_id"]] = "kept"
            elif AS_OF.isoformat() <= end:
                outcomes[p["promise_id"]] = "pending"
            else:
                outcomes[p["promise_id"]] = "partially_kept" if total > 0 else "broken"
    return outcomes


@pytest.mark.parametrize("size", ["tiny", "demo", "xl_small"])
def test_promise_labels_follow_from_the_payments_in_the_files(size, request) -> None:
    out = request.getfixturevalue(size)
    expected = {p["promise_id"]: p["expected_outcome"] for p in labels(out, "promises")}
    assert expected == _expected_promise_outcomes(out)


def test_promise_outcomes_are_the_ones_the_simulation_intended(demo: Path) -> None:
    promises = labels(demo, "promises")
    outcomes = Counter(p["expected_outcome"] for p in promises)
    assert {"kept", "partially_kept", "broken", "pending"} <= set(outcomes)
    for p in promises:
        if p["expected_outcome"] != "pending":
            intended = "kept" if p["intended"] == "short" else p["intended"]
            assert p["expected_outcome"] == intended, p
    short = [p for p in promises if p["intended"] == "short"]
    assert short and all(p["paid_amount"] < p["promised_amount"] for p in short)


def test_tiny_shows_every_event_type_closure_and_a_pending_promise(tiny: Path) -> None:
    events = [e for es in _events(tiny).values() for e in es]
    assert {e["event_type"] for e in events} == set(EVENT_TYPES)
    assert {e["payload"]["reason"] for e in events if e["event_type"] == "closed"} == CLOSURES
    outcomes = {e["payload"]["outcome"] for e in events if e["event_type"] == "dispute_resolved"}
    assert outcomes == {"upheld", "rejected"}
    assert {e["payload"]["stage"] for e in events if e["event_type"] == "stage_changed"} == set(
        STAGES
    )
    assert "pending" in {p["expected_outcome"] for p in labels(tiny, "promises")}


def test_cases_follow_their_debtor_and_some_are_still_open(demo: Path) -> None:
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    cases = latest(valid_rows(demo, "cases_cases"), "case_id", "updated_at")
    events = _events(demo)
    for case in cases.values():
        debtor = customers[case["debtor_id"]]
        assert case["jurisdiction"] == {"GB": "UK"}.get(debtor["country"], debtor["country"])
        assert case["currency"] == debtor["currency"]
        assert case["strategy"] in {"soft", "standard", "intensive"}
        assert events[case["case_id"]][0]["occurred_at"] == case["opened_at"]
    still_open = [c for c in cases if events[c][-1]["event_type"] != "closed"]
    assert 10 < len(still_open) < len(cases) / 2


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_closed_cases_stay_quiet_unless_reopened(size, request) -> None:
    demo = request.getfixturevalue(size)
    for events in _events(demo).values():
        for before, after in zip(events, events[1:], strict=False):
            if before["event_type"] == "closed":
                assert after["event_type"] == "reopened"


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_placed_amount_is_the_overdue_open_amount_at_opening(size, request) -> None:
    demo = request.getfixturevalue(size)
    invoices = latest(valid_rows(demo, "erp_invoices"), "invoice_id", "updated_at")
    value_date = {e["entry_ref"]: e["value_date"] for e in valid_rows(demo, "bank_entries")}
    reduced: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for a in valid_rows(demo, "erp_payment_allocations"):
        reduced[a["invoice_id"]].append((value_date[a["payment_ref"]], Decimal(a["amount"])))
    for doc in invoices.values():
        if doc["document_type"] == "credit_note":
            reduced[doc["reference_invoice_id"]].append((doc["issue_date"], Decimal(doc["amount"])))
    cases = sorted(
        latest(valid_rows(demo, "cases_cases"), "case_id", "updated_at").values(),
        key=lambda c: c["case_id"],
    )
    first_cases = {c["debtor_id"]: c for c in reversed(cases)}  # case ids count up per debtor
    history = Clock.of(AS_OF).start.isoformat()  # the ERP extract's first day
    checked = 0
    for case in first_cases.values():
        opened = case["opened_at"][:10]
        if opened < history:  # the former debtor's case (ANY-RETENTION): no invoice extracted
            continue
        overdue = sum(
            (
                Decimal(inv["amount"]) - sum((v for d, v in reduced[i] if d < opened), Decimal(0))
                for i, inv in invoices.items()
                if inv["debtor_id"] == case["debtor_id"]
                and inv["document_type"] == "invoice"
                and inv["due_date"] < opened
            ),
            Decimal(0),
        )
        assert overdue == Decimal(case["placed_amount"]), case["case_id"]
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_each_case_contacts_the_debtor_first_with_the_first_notice_letter(size, request) -> None:
    demo = request.getfixturevalue(size)
    slipped = {b["case_id"] for b in _breaches(demo, "US-VALIDATION", "FR-FIRST-LETTER")}
    for case_id, contacts in _contacts(demo).items():
        if case_id in slipped:
            continue
        first = contacts[0]
        assert (first["kind"], first.get("template_id"), first.get("channel")) == (
            "message",
            "first_notice",
            "letter",
        ), case_id


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_contacts_happen_on_local_weekdays_in_business_hours(size, request) -> None:
    """Except the planted out-of-hours slips, and the near misses at exactly the end of the
    allowed hours (21:00:00 in the US, 20:00:00 elsewhere)."""
    demo = request.getfixturevalue(size)
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    slipped = {i for b in _breaches(demo, "US-HOURS", "ANY-QUIET-HOURS") for i in b["evidence_ids"]}
    ends = {"US-HOURS": "21:00:00", "ANY-QUIET-HOURS": "20:00:00"}
    grazing = {n["evidence_ids"][-1]: ends[n["rule_id"]] for n in labels(demo, "near_misses")
               if n["rule_id"] in ends}  # fmt: skip
    assert grazing
    for contacts in _contacts(demo).values():
        for c in contacts:
            if c["contact_id"] in slipped:
                continue
            tz = ZoneInfo(customers[c["debtor_id"]]["timezone"])
            local = _ts(c["at"]).replace(tzinfo=ZoneInfo("UTC")).astimezone(tz)
            assert local.weekday() < 5, c
            if c["contact_id"] in grazing:
                assert local.strftime("%H:%M:%S") == grazing[c["contact_id"]], c
            else:
                assert "09:00" <= local.strftime("%H:%M") <= "18:30", c


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_call_pacing_respects_seven_in_seven_and_a_week_after_a_conversation(size, request) -> None:
    demo = request.getfixturevalue(size)
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    calls_by_debtor: dict[str, list[dict]] = defaultdict(list)
    for c in valid_rows(demo, "contacts_calls"):
        calls_by_debtor[c["debtor_id"]].append(c)
    slipped = {b["debtor_id"] for b in _breaches(demo, "US-7IN7", "US-AFTER-CONV")}
    for debtor, calls in calls_by_debtor.items():
        if debtor in slipped:
            continue
        tz = ZoneInfo(customers[debtor]["timezone"])
        days = sorted(
            (
                (_ts(c["started_at"]).replace(tzinfo=ZoneInfo("UTC")).astimezone(tz).date(), c)
                for c in calls
            ),
            key=lambda dc: (dc[0], dc[1]["started_at"]),
        )
        outbound = [d for d, c in days if c["direction"] == "outbound"]
        for d in outbound:
            assert sum(d <= o < d + timedelta(days=7) for o in outbound) <= 7
        for d, c in days:
            if c["outcome"] in CONVERSATIONS:
                assert not [o for o in outbound if d < o < d + timedelta(days=7)], (debtor, d)


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_no_contact_during_a_dispute_or_after_a_cease_request_or_an_attorney(size, request) -> None:
    demo = request.getfixturevalue(size)
    contacts, checked = _contacts(demo), 0
    slipped = {b["case_id"] for b in _breaches(demo, "US-CEASE", "US-ATTORNEY", "US-DISPUTE")}
    for case_id, events in _events(demo).items():
        if case_id in slipped:
            continue
        outbound = [c["at"] for c in contacts[case_id] if c["direction"] == "outbound"]
        for e in events:
            if e["event_type"] in ("cease_requested", "attorney_represented"):
                assert not [at for at in outbound if at > e["occurred_at"]], case_id
                checked += 1
            if e["event_type"] == "dispute_opened":
                resolved = next(
                    (
                        r["occurred_at"]
                        for r in events
                        if r["event_type"] == "dispute_resolved"
                        and r["payload"]["dispute_id"] == e["payload"]["dispute_id"]
                    ),
                    "9999",
                )
                assert not [at for at in outbound if e["occurred_at"] < at < resolved], case_id
                checked += 1
    assert checked > 10


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_litigation_follows_a_formal_demand_sent_at_least_eight_days_before(size, request) -> None:
    demo = request.getfixturevalue(size)
    contacts = _contacts(demo)
    referrals = [
        e
        for es in _events(demo).values()
        for e in es
        if e["event_type"] == "referred_to_litigation"
    ]
    assert len(referrals) > 5
    slipped = {b["case_id"] for b in _breaches(demo, "ANY-LITIGATION-NOTICE")}
    for e in (e for e in referrals if e["case_id"] not in slipped):
        demands = [
            c["at"] for c in contacts[e["case_id"]] if c.get("template_id") == "formal_demand"
        ]
        assert demands and _ts(e["occurred_at"]) - _ts(min(demands)) >= timedelta(days=8)


def test_no_fees_on_french_consumer_cases(demo: Path) -> None:
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    cases = latest(valid_rows(demo, "cases_cases"), "case_id", "updated_at")
    fees = [e for es in _events(demo).values() for e in es if e["event_type"] == "fee_charged"]
    assert fees
    slipped = {i for b in _breaches(demo, "FR-NO-FEES") for i in b["evidence_ids"]}
    for e in (e for e in fees if e["event_id"] not in slipped):
        debtor = customers[cases[e["case_id"]]["debtor_id"]]
        assert debtor["segment"] == "B2B"


def test_agents_work_in_teams_and_only_while_active(demo: Path) -> None:
    agents = {a["agent_id"]: a for a in valid_rows(demo, "cases_agents")}
    supervisors = {a["team"]: a for a in agents.values() if a["supervisor_id"] is None}
    assert len(supervisors) == 3
    for a in agents.values():
        if a["supervisor_id"]:
            assert agents[a["supervisor_id"]] == supervisors[a["team"]]
    assert any(a["active_to"] for a in agents.values())
    for c in valid_rows(demo, "contacts_calls"):
        agent = agents[c["agent_id"]]
        day = c["started_at"][:10]
        assert agent["active_from"] <= day and (
            agent["active_to"] is None or day <= agent["active_to"]
        )
    assigned = [e for es in _events(demo).values() for e in es if e["event_type"] == "assigned"]
    reassigned = [e for e in assigned if e["actor_id"] != "system"]
    assert reassigned and all(
        e["actor_id"] in {s["agent_id"] for s in supervisors.values()} for e in reassigned
    )


def _local(at: str, tz: str) -> datetime:
    return _ts(at).replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz))


@pytest.mark.parametrize("size", ["demo", "demo_december", "xl_small"])
def test_the_after_conversation_labels_are_every_call_the_rule_flags(size, request) -> None:
    """DESIGN.md §5 US-AFTER-CONV recomputed from the files: each outbound call of a US B2C case
    on the local day of the case's latest earlier conversation (a right-party call, either
    direction) or the 6 days after it is a breach, with (conversation, call) as evidence. The
    generator plants one per slip and keeps every other call out of the window."""
    out = request.getfixturevalue(size)
    customers = latest(valid_rows(out, "erp_customers"), "debtor_id", "updated_at")
    cases = latest(valid_rows(out, "cases_cases"), "case_id", "updated_at")
    calls: dict[str, list[dict]] = defaultdict(list)
    for c in latest(valid_rows(out, "contacts_calls"), "contact_id").values():
        calls[c["case_id"]].append(c)
    flagged = set()
    for case_id, case_calls in calls.items():
        debtor = customers[cases[case_id]["debtor_id"]]
        us_consumer = cases[case_id]["jurisdiction"] == "US" and debtor["segment"] == "B2C"
        if not us_consumer or not debtor.get("timezone"):
            continue
        talk = None
        for c in sorted(case_calls, key=lambda c: (c["started_at"], c["contact_id"])):
            day = _local(c["started_at"], debtor["timezone"]).date()
            if c["direction"] == "outbound" and talk and day < talk[1] + timedelta(days=7):
                flagged.add((case_id, talk[0], c["contact_id"]))
            if c["outcome"] in CONVERSATIONS:
                talk = (c["contact_id"], day)
    planted = {(b["case_id"], *b["evidence_ids"]) for b in _breaches(out, "US-AFTER-CONV")}
    assert planted and flagged == planted


@pytest.mark.parametrize("size", ["demo", "xl_small"])
def test_each_planted_breach_is_visible_in_its_evidence(size, request) -> None:
    demo = request.getfixturevalue(size)
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    events = {e["event_id"]: e for es in _events(demo).values() for e in es}
    contacts = {c["contact_id"]: c for cs in _contacts(demo).values() for c in cs}
    breaches = labels(demo, "breaches")
    # every rule of the packs has a planted breach: a new rule needs one too
    assert {b["rule_id"] for b in breaches} == {rule["id"] for rule in PACKS["rules"]}
    for b in breaches:
        debtor = customers[b["debtor_id"]]
        ev = [events.get(i) or contacts[i] for i in b["evidence_ids"]]
        assert all(x["case_id"] == b["case_id"] for x in ev)
        at = [x.get("occurred_at") or x["at"] for x in ev]
        local = [_local(a, debtor["timezone"]) for a in at]
        rule = b["rule_id"]
        if rule.startswith("US-"):
            assert (debtor["country"], debtor["segment"]) == ("US", "B2C")
        if rule == "US-HOURS":
            assert local[0].hour < 8
        elif rule == "ANY-QUIET-HOURS":
            assert local[0].hour >= 20 and b["jurisdiction"] in ("FR", "DE", "UK")
        elif rule == "US-7IN7":
            assert len(ev) == 8 and local[-1] - local[0] < timedelta(days=7)
        elif rule == "US-AFTER-CONV":
            assert ev[0]["outcome"] in CONVERSATIONS and ev[1]["direction"] == "outbound"
            assert local[1].date() - local[0].date() < timedelta(days=7)
        elif rule in ("US-CEASE", "US-ATTORNEY", "US-DISPUTE"):
            assert ev[0]["event_type"] in (
                "cease_requested",
                "attorney_represented",
                "dispute_opened",
            )
            assert ev[1]["direction"] == "outbound" and at[1] > at[0]
        elif rule in ("US-VALIDATION", "FR-FIRST-LETTER"):
            letters = [
                c["at"]
                for c in _contacts(demo)[b["case_id"]]
                if c.get("template_id") == "first_notice"
            ]
            assert ev[0].get("template_id") != "first_notice"
            assert _ts(min(letters)) - _ts(at[0]) > timedelta(days=0 if rule[0] == "F" else 5)
        elif rule == "ANY-RETENTION":  # personal data held past the period after the closing
            case_events = _events(demo)[b["case_id"]]
            assert ev[0] == case_events[-1] and ev[0]["event_type"] == "closed"
            end = years_after(_ts(at[0]), retention_years(PACKS) or 0)
            assert b["occurred_at"] == end.isoformat() + "Z" and end.date() < AS_OF
            assert debtor["name"]  # still in the ERP
        elif rule == "FR-NO-FEES":
            assert ev[0]["event_type"] == "fee_charged" and debtor["segment"] == "B2C"
        elif rule == "ANY-LITIGATION-NOTICE":
            demands = [
                c["at"]
                for c in _contacts(demo)[b["case_id"]]
                if c.get("template_id") == "formal_demand"
            ]
            assert ev[0]["event_type"] == "referred_to_litigation"
            assert _ts(at[0]) - _ts(max(demands)) < timedelta(days=8)
