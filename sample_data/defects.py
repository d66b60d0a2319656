"""Planted, labelled defects: what ingestion must quarantine, reject, dedupe or take as a late
correction, and exactly where each one is (file relative to the output folder, row, field).

Defective rows are always extra rows (a copy of a real record with a new id and one broken
field), so no entity depends on a row ingestion will throw away. Labels go to
`<out>/_labels/defects.jsonl`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING

from sample_data.days import Clock, stamp
from sample_data.rows import (
    allocation_row,
    call_row,
    customer_rows,
    event_row,
    invoice_row,
    message_row,
)
from sample_data.writers import BankSpool, SpoolEntry, TableSink, write_bad_header_csv

if TYPE_CHECKING:
    from sample_data.ledger import Invoice
    from sample_data.records import Case
    from sample_data.simulate import DebtorResult

DUPLICATE_EVERY = 40  # every 40th row of an early extraction file reappears in the later one
CORRECT_EVERY = 12  # every 12th eligible invoice / case gets a late correction
REQUIRED = (
    "customers", "invoices", "allocations", "events", "calls", "messages", "bank", "fx",
    "bad_header", "dup:erp_invoices", "dup:cases_case_events", "fix:erp_invoices",
    "fix:cases_cases",
)  # fmt: skip
INVOICE_DEFECTS = (
    ("non_numeric_amount", "amount", "N/A"),
    ("unknown_currency", "currency", "EUX"),
    ("bad_date_format", "issue_date", None),  # the host's issue date as DD/MM/YYYY
    ("missing_required", "debtor_id", ""),
    ("bad_enum", "document_type", "invoce"),
)


class Planter:
    def __init__(self, clock: Clock, seed: int) -> None:
        self.clock = clock
        self.rng = Random(seed * 104_729 + 3)
        self.labels: list[dict] = []
        self.done: set[str] = set()
        self.seen: dict[str, int] = {}
        self.bank_labels: dict[str, dict] = {}
        self.header_host: dict | None = None

    def label(
        self,
        kind: str,
        table: str,
        file: str,
        row: int,
        field: str | None,
        value: object,
        expect: str,
        **extra: object,
    ) -> dict:
        label = {
            "defect_id": f"DF{len(self.labels) + 1:05d}",
            "kind": kind,
            "table": table,
            "file": file,
            "row": row,
            "field": field,
            "value": value,
            "expect": expect,
        } | extra
        self.labels.append(label)
        if expect in ("dedupe", "correction"):
            self.done.add(("dup:" if expect == "dedupe" else "fix:") + table)
        return label

    def _count(self, key: str) -> int:
        self.seen[key] = self.seen.get(key, 0) + 1
        return self.seen[key]

    # --- anomalies decided while rows stream by -------------------------------------------
    def duplicate(self, table: str) -> bool:
        return self._count("dup:" + table) % DUPLICATE_EVERY == 3

    def _late_moment(self, after: datetime) -> datetime:
        start = max(self.clock.e1, after) + timedelta(hours=1)
        end = datetime.combine(self.clock.horizon, datetime.min.time()) + timedelta(hours=22)
        return start + timedelta(
            seconds=self.rng.randint(0, max(0, int((end - start).total_seconds())))
        )

    def invoice_correction(self, inv: Invoice) -> tuple[str, str, datetime] | None:
        """(field, value first extracted, moment of the correction) or None."""
        e1 = self.clock.e1
        if inv.created >= e1 or inv.issue < e1.date() - timedelta(days=60):
            return None
        n = self._count("fix:erp_invoices")
        if n % CORRECT_EVERY != 1:
            return None
        at = self._late_moment(inv.created)
        wrong_due = inv.due - timedelta(days=15)
        if (n // CORRECT_EVERY) % 2 == 1 and wrong_due >= inv.issue:
            return "due_date", wrong_due.isoformat(), at
        wrong = inv.amount + max(100, inv.amount // 10)
        return "amount", f"{wrong // 100}.{wrong % 100:02d}", at

    def case_correction(self, case: Case, last_update: datetime) -> tuple[datetime, str] | None:
        """(moment, new strategy) for a case open at the first extraction, or None."""
        e1 = self.clock.e1
        if case.opened >= e1 or (case.closed is not None and case.closed < e1):
            return None
        if self._count("fix:cases_cases") % CORRECT_EVERY != 1:
            return None
        new = "intensive" if case.strategy != "intensive" else "standard"
        return self._late_moment(last_update), new

    # --- defective rows, hosted by the first debtor that has what they need ----------------
    def plant(self, r: DebtorResult, sinks: dict[str, TableSink], spool: BankSpool) -> None:
        d, tag = r.debtor, f"{r.debtor.idx + 1:06d}"
        if "customers" not in self.done:
            when, row = customer_rows(d)[0]
            row = row | {"debtor_id": f"DX{tag}", "segment": "SME"}
            self._row(sinks["erp_customers"], row, when, "bad_enum", "segment", "customers")
        if "invoices" not in self.done and r.ledger.invoices:
            host = r.ledger.invoices[0]
            for k, (kind, field, value) in enumerate(INVOICE_DEFECTS, start=1):
                value = host.issue.strftime("%d/%m/%Y") if value is None else value
                row = invoice_row(host, d) | {
                    "invoice_id": f"IX{tag}{k:02d}",
                    "invoice_number": f"INV-X-{tag}{k:02d}",
                    field: value,
                }
                self._row(sinks["erp_invoices"], row, host.created, kind, field, "invoices")
        entry = next((e for e in r.ledger.entries if e.allocations), None)
        if "allocations" not in self.done and entry is not None:
            a = entry.allocations[0]
            row = allocation_row(a, entry.entry_ref) | {
                "allocation_id": f"AX{tag}01",
                "amount": "1O0.00",
            }
            self._row(
                sinks["erp_payment_allocations"],
                row,
                a.at,
                "non_numeric_amount",
                "amount",
                "allocations",
            )
        if "bank" not in self.done and entry is not None:
            ref = f"{d.currency}{entry.booking:%Y%m%d}X{tag}"
            bad = SpoolEntry(
                entry.booking,
                entry.value,
                ref,
                True,
                1250,
                name=d.name,
                iban=d.iban,
                account_no=d.account_no,
                bad_amount="12,50",
            )
            spool.add(d.currency, bad)
            self.bank_labels[ref] = {"kind": "malformed_amount", "value": "12,50"}
            self.done.add("bank")
        case = next((c for c in r.cases if c.events and c.calls and c.messages), None)
        if case is None:
            return
        if "events" not in self.done:
            self._plant_events(case, sinks["cases_case_events"], tag)
        if "calls" not in self.done:
            c = case.calls[0]
            bad_ts = c.at.strftime("%Y-%m-%d %H:%M:%S")
            for k, (kind, field, value) in enumerate(
                (
                    ("bad_timestamp", "started_at", bad_ts),
                    ("negative_integer", "duration_s", "-35"),
                ),
                1,
            ):
                row = call_row(case, c) | {"contact_id": f"CLX{tag}{k:02d}", field: value}
                self._row(sinks["contacts_calls"], row, c.at, kind, field, "calls")
            self.header_host = call_row(case, c)
        if "messages" not in self.done:
            m = case.messages[0]
            row = message_row(case, m) | {"contact_id": f"MSX{tag}01", "channel": "fax"}
            self._row(sinks["contacts_messages"], row, m.at, "bad_enum", "channel", "messages")

    def _row(
        self, sink: TableSink, row: dict, when: datetime, kind: str, field: str, group: str
    ) -> None:
        rel, line = sink.write(row, when)
        self.label(kind, sink.table, rel, line, field, row[field], "quarantine")
        self.done.add(group)

    def _plant_events(self, case: Case, sink: TableSink, tag: str) -> None:
        e = case.events[0]
        base = event_row(case.case_id, e)
        broken = json.dumps(base | {"event_id": f"EVX{tag}01"}, ensure_ascii=False)[:-25]
        rel, line = sink.write_raw(broken, e.at)
        self.label("not_json", sink.table, rel, line, None, broken, "quarantine")
        row = {k: v for k, v in base.items() if k != "event_id"}
        rel, line = sink.write(row, e.at)
        self.label("missing_required", sink.table, rel, line, "event_id", None, "quarantine")
        payload = {"promise_id": f"PRX{tag}01", "amount": "100.00", "currency": case.currency}
        row = base | {"event_id": f"EVX{tag}03", "event_type": "promise_made", "payload": payload}
        rel, line = sink.write(row, e.at)
        value = json.dumps(payload, separators=(",", ":"))
        self.label(
            "missing_payload_key",
            sink.table,
            rel,
            line,
            "payload",
            value,
            "quarantine",
            missing_key="promised_date",
        )
        self.done.add("events")

    # --- defects placed when the last files are written ------------------------------------
    def fx_defect_day(self) -> date:
        return self.clock.start + (self.clock.horizon - self.clock.start) / 2

    def fx_planted(self, rel: str, line: int, value: str) -> None:
        self.label(
            "non_numeric_rate", "fx_rates", rel, line, "rate_to_reporting", value, "quarantine"
        )
        self.done.add("fx")

    def bank_planted(self, flagged: dict[str, tuple[str, int]]) -> None:
        for ref, info in self.bank_labels.items():
            rel, ordinal = flagged[ref]
            self.label(
                info["kind"],
                "bank_entries",
                rel,
                ordinal,
                "amount",
                info["value"],
                "quarantine",
                entry_ref=ref,
            )

    def bad_header_file(self, out: Path) -> tuple[str, int]:
        """A late dialer export whose header misspells `duration_s`: ingestion must reject it."""
        if self.header_host is None:
            return "", 0
        from ingestion.contracts import SOURCES_BY_NAME

        columns = SOURCES_BY_NAME["contacts_calls"].columns
        header = ["duration_sec" if c == "duration_s" else c for c in columns]
        rel = f"contacts/calls_{stamp(self.clock.e2 + timedelta(minutes=15))}.csv"
        rows = []
        for k in range(3):
            row = self.header_host | {"contact_id": f"CLH{k + 1:05d}"}
            rows.append([str(row[c]) for c in columns])
        write_bad_header_csv(out, rel, header, rows)
        for k in range(3):
            self.label(
                "bad_header",
                "contacts_calls",
                rel,
                k + 2,
                "duration_s",
                "duration_sec",
                "reject_file",
            )
        self.done.add("bad_header")
        return rel, 3

    def missing(self) -> list[str]:
        return [k for k in REQUIRED if k not in self.done]
