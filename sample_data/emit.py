"""Write one simulated debtor's records into the source files.

Duplicates and late corrections are decided by the `Planter` as rows go by, so each is labelled
with the exact file and row it lands at. Promise labels are computed here, per debtor, from the
same payments that are written (all in the debtor's currency, the currency of its cases and
promises); a promise replaced by a newer one on its case counts payments up to the day before
the newer one was made (`simulate.window_end`), as marts.fct_promises does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO

from amicable.config import Config
from sample_data.days import Clock, fmt_amount, fmt_ts
from sample_data.defects import Planter
from sample_data.ledger import Invoice
from sample_data.records import Case
from sample_data.rows import (
    allocation_row,
    call_row,
    case_row,
    credit_note_row,
    customer_rows,
    event_row,
    invoice_row,
    message_row,
    spool_entry,
)
from sample_data.simulate import DebtorResult, promise_outcome, window_end
from sample_data.stuck import PromiseResult, stuck_labels
from sample_data.world import Debtor
from sample_data.writers import BankSpool, TableSink

Sinks = dict[str, TableSink]


def emit_debtor(
    r: DebtorResult,
    sinks: Sinks,
    spool: BankSpool,
    planter: Planter,
    clock: Clock,
    labels: dict[str, IO],
    config: Config,
) -> None:
    """Write debtor `r`'s rows, and its labels to `labels` (name -> open file of
    `_labels/<name>.jsonl`: promises, breaches, near_misses, stuck_cases)."""
    d, ledger = r.debtor, r.ledger
    for when, row in customer_rows(d):
        sinks["erp_customers"].write(row, when)
    docs = [(inv.created, inv.invoice_id, inv) for inv in ledger.invoices]
    docs += [(cn.created, cn.credit_id, cn) for cn in ledger.credit_notes]
    for created, _, doc in sorted(docs, key=lambda x: (x[0], x[1])):
        if isinstance(doc, Invoice):
            _write_invoice(doc, d, sinks["erp_invoices"], planter)
        else:
            _write_plain(
                sinks["erp_invoices"], "erp_invoices", credit_note_row(doc, d), created, planter
            )
    payments = []
    for e in ledger.entries:
        spool.add(d.currency, spool_entry(e, d))
        for a in e.allocations:
            sinks["erp_payment_allocations"].write(allocation_row(a, e.entry_ref), a.at)
            payments.append((e.value, a.amount))
    terms = config.promises
    for case in r.cases:
        strategy = _write_case(case, sinks["cases_cases"], planter)
        for e in case.events:
            _write_plain(
                sinks["cases_case_events"],
                "cases_case_events",
                event_row(case.case_id, e),
                e.at,
                planter,
            )
        for c in case.calls:
            sinks["contacts_calls"].write(call_row(case, c), c.at)
        for m in case.messages:
            sinks["contacts_messages"].write(message_row(case, m), m.at)
        for name, planted in (("breaches", case.breaches), ("near_misses", case.near_misses)):
            for rule, evidence, at in planted:
                label = {
                    "rule_id": rule,
                    "case_id": case.case_id,
                    "debtor_id": d.debtor_id,
                    "jurisdiction": case.jurisdiction,
                    "occurred_at": fmt_ts(at),
                    "evidence_ids": evidence,
                }
                labels[name].write(json.dumps(label, separators=(",", ":")) + "\n")
        results = []
        promises = sorted(case.promises, key=lambda p: (p.made, p.promise_id))
        for n, p in enumerate(promises):
            replaced_on = promises[n + 1].made.date() if n + 1 < len(promises) else None
            outcome, paid = promise_outcome(
                p.amount,
                p.made.date(),
                p.promised,
                payments,
                clock.as_of,
                terms.grace_days,
                terms.tolerance_pct,
                terms.tolerance_units,
                replaced_on,
            )
            end = window_end(p.promised, terms.grace_days, replaced_on)
            results.append(PromiseResult(p.promise_id, end, outcome))
            label = {
                "promise_id": p.promise_id,
                "case_id": case.case_id,
                "expected_outcome": outcome,
                "debtor_id": d.debtor_id,
                "made_at": fmt_ts(p.made),
                "promised_date": p.promised.isoformat(),
                "promised_amount": fmt_amount(p.amount),
                "paid_amount": f"{paid // 100}.{paid % 100:02d}",
                "currency": case.currency,
                "intended": p.intended,
            }
            labels["promises"].write(json.dumps(label, separators=(",", ":")) + "\n")
        for label in stuck_labels(case, strategy, results, clock.as_of, config.stuck_cases):
            labels["stuck_cases"].write(json.dumps(label, separators=(",", ":")) + "\n")


def _write_plain(sink: TableSink, table: str, row: dict, when: datetime, planter: Planter) -> None:
    rel, _ = sink.write(row, when)
    if rel != sink.final and planter.duplicate(table):
        dup_rel, line = sink.write(row, late=True)
        column = "invoice_id" if table == "erp_invoices" else "event_id"
        planter.label(
            "duplicate_row", table, dup_rel, line, column, row[column], "dedupe", key=row[column]
        )


def _write_invoice(inv: Invoice, d: Debtor, sink: TableSink, planter: Planter) -> None:
    row = invoice_row(inv, d)
    fix = planter.invoice_correction(inv)
    if fix is None:
        _write_plain(sink, "erp_invoices", row, inv.created, planter)
        return
    field, old, at = fix
    sink.write(row | {field: old}, inv.created)
    rel, line = sink.write(row | {"updated_at": fmt_ts(at)}, at)
    planter.label(
        "late_correction",
        "erp_invoices",
        rel,
        line,
        field,
        old,
        "correction",
        key=inv.invoice_id,
        corrected_field=field,
        corrected_value=row[field],
    )


def _write_case(case: Case, sink: TableSink, planter: Planter) -> str:
    """Write the case record's versions; returns the strategy its latest version carries."""
    versions = list(case.versions)
    fix = planter.case_correction(case, versions[-1][0])
    if fix is not None:
        versions.append((fix[0], versions[-1][1], fix[1]))
    early = [v for v in versions if v[0] < planter.clock.e1]
    late = [v for v in versions if v[0] >= planter.clock.e1]
    if early:
        sink.write(case_row(case, *early[-1]), early[-1][0])
    if late:
        rel, line = sink.write(case_row(case, *late[-1]), late[-1][0])
        if fix is not None:
            planter.label(
                "late_correction",
                "cases_cases",
                rel,
                line,
                "strategy",
                case.strategy,
                "correction",
                key=case.case_id,
                corrected_field="strategy",
                corrected_value=fix[1],
            )
    return versions[-1][2]
