"""Source rows in the contracts' formats, built from the simulation's records.

Rows are dicts keyed by contract column; `None` is an absent optional field (an empty string in
CSV, `null` in JSON lines).
"""

from __future__ import annotations

from datetime import datetime

from sample_data.days import fmt_amount, fmt_ts
from sample_data.ledger import Allocation, BankEntry, CreditNote, Invoice
from sample_data.records import Call, Case, Event, Message
from sample_data.world import Agent, Debtor
from sample_data.writers import SpoolEntry


def customer_rows(d: Debtor) -> list[tuple[datetime, dict]]:
    row = {
        "debtor_id": d.debtor_id,
        "name": d.name,
        "segment": d.segment,
        "country": d.country,
        "timezone": d.timezone,
        "email": d.email,
        "phone": d.phone,
        "credit_limit": fmt_amount(d.credit_limit) if d.credit_limit else None,
        "currency": d.currency,
        "updated_at": fmt_ts(d.onboarded),
    }
    rows = [(d.onboarded, row)]
    if d.updated is not None:  # the debtor changed its billing address
        email = f"billing.{d.email}" if d.email else None
        rows.append((d.updated, row | {"email": email, "updated_at": fmt_ts(d.updated)}))
    return rows


def invoice_row(inv: Invoice, d: Debtor) -> dict:
    return {
        "invoice_id": inv.invoice_id,
        "debtor_id": d.debtor_id,
        "invoice_number": inv.number,
        "document_type": "invoice",
        "reference_invoice_id": None,
        "issue_date": inv.issue.isoformat(),
        "due_date": inv.due.isoformat(),
        "amount": fmt_amount(inv.amount),
        "currency": d.currency,
        "updated_at": fmt_ts(inv.created),
    }


def credit_note_row(cn: CreditNote, d: Debtor) -> dict:
    return {
        "invoice_id": cn.credit_id,
        "debtor_id": d.debtor_id,
        "invoice_number": cn.number,
        "document_type": "credit_note",
        "reference_invoice_id": cn.invoice_id,
        "issue_date": cn.issue.isoformat(),
        "due_date": cn.issue.isoformat(),
        "amount": fmt_amount(cn.amount),
        "currency": d.currency,
        "updated_at": fmt_ts(cn.created),
    }


def allocation_row(a: Allocation, entry_ref: str) -> dict:
    return {
        "allocation_id": a.allocation_id,
        "payment_ref": entry_ref,
        "invoice_id": a.invoice_id,
        "amount": fmt_amount(a.amount),
        "allocated_at": fmt_ts(a.at),
    }


def case_row(case: Case, updated: datetime, agent_id: str, strategy: str) -> dict:
    return {
        "case_id": case.case_id,
        "debtor_id": case.debtor_id,
        "opened_at": fmt_ts(case.opened),
        "placed_amount": fmt_amount(case.placed),
        "currency": case.currency,
        "strategy": strategy,
        "agent_id": agent_id,
        "jurisdiction": case.jurisdiction,
        "updated_at": fmt_ts(updated),
    }


def event_row(case_id: str, e: Event) -> dict:
    return {
        "event_id": e.event_id,
        "case_id": case_id,
        "occurred_at": fmt_ts(e.at),
        "event_type": e.etype,
        "actor_id": e.actor,
        "payload": e.payload,
    }


def call_row(case: Case, c: Call) -> dict:
    return {
        "contact_id": c.contact_id,
        "case_id": case.case_id,
        "debtor_id": case.debtor_id,
        "agent_id": c.agent_id,
        "direction": c.direction,
        "started_at": fmt_ts(c.at),
        "duration_s": c.duration,
        "outcome": c.outcome,
    }


def message_row(case: Case, m: Message) -> dict:
    return {
        "contact_id": m.contact_id,
        "case_id": case.case_id,
        "debtor_id": case.debtor_id,
        "agent_id": m.agent_id,
        "channel": m.channel,
        "direction": m.direction,
        "sent_at": fmt_ts(m.at),
        "template_id": m.template,
        "outcome": m.outcome,
    }


def agent_row(a: Agent) -> dict:
    return {
        "agent_id": a.agent_id,
        "name": a.name,
        "team": a.team,
        "supervisor_id": a.supervisor_id,
        "active_from": a.active_from.isoformat(),
        "active_to": a.active_to.isoformat() if a.active_to else None,
    }


def spool_entry(e: BankEntry, d: Debtor) -> SpoolEntry:
    shouted = d.idx % 5 == 0  # some banks print payer names in capitals
    return SpoolEntry(
        booking=e.booking,
        value=e.value,
        entry_ref=e.entry_ref,
        credit=e.credit,
        cents=e.amount,
        name=d.name.upper() if shouted else d.name,
        iban=d.iban,
        account_no=d.account_no,
        remittance=e.remittance,
    )
