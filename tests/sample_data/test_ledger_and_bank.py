from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ingestion.contracts import SOURCES_BY_NAME
from sample_data.days import is_bank_day
from sample_data.world import iban_is_valid
from tests.sample_data.conftest import AS_OF, history_months
from tests.sample_data.landing import NS, files_of, latest, read_rows, valid_rows, violations

DATED = {  # fields that record when something happened (due and promised dates look ahead)
    "erp_customers": ("updated_at",),
    "erp_invoices": ("issue_date", "updated_at"),
    "erp_payment_allocations": ("allocated_at",),
    "cases_cases": ("opened_at", "updated_at"),
    "cases_case_events": ("occurred_at",),
    "cases_agents": ("active_from", "active_to"),
    "contacts_calls": ("started_at",),
    "contacts_messages": ("sent_at",),
    "bank_entries": ("booking_date", "value_date"),
    "fx_rates": ("rate_date",),
}


def _bank(out: Path) -> dict[str, dict]:
    return {e["entry_ref"]: e for e in valid_rows(out, "bank_entries")}


def test_nothing_is_dated_after_as_of(demo: Path) -> None:
    for table, fields in DATED.items():
        for row in valid_rows(demo, table):
            for f in fields:
                if row.get(f):
                    assert row[f][:10] <= AS_OF.isoformat(), (table, f, row)
    last_fx = max(r["rate_date"] for r in valid_rows(demo, "fx_rates"))
    assert last_fx == AS_OF.isoformat()


def test_allocations_point_to_existing_invoices_and_bank_entries(demo: Path) -> None:
    invoices = latest(valid_rows(demo, "erp_invoices"), "invoice_id", "updated_at")
    bank = _bank(demo)
    allocations = valid_rows(demo, "erp_payment_allocations")
    assert len(allocations) > 3000
    for a in allocations:
        assert invoices[a["invoice_id"]]["document_type"] == "invoice"
        assert bank[a["payment_ref"]]["credit_debit"] == "CRDT"
        assert bank[a["payment_ref"]]["currency"] == invoices[a["invoice_id"]]["currency"]
        assert a["allocated_at"][:10] >= bank[a["payment_ref"]]["booking_date"]


def test_allocations_never_exceed_their_bank_entry_and_some_cash_stays_unallocated(demo: Path):
    bank = _bank(demo)
    per_entry: dict[str, Decimal] = defaultdict(Decimal)
    for a in valid_rows(demo, "erp_payment_allocations"):
        per_entry[a["payment_ref"]] += Decimal(a["amount"])
    for ref, total in per_entry.items():
        assert total <= Decimal(bank[ref]["amount"]), ref
    over = [ref for ref, total in per_entry.items() if total < Decimal(bank[ref]["amount"])]
    unallocated = [
        ref for ref, e in bank.items() if e["credit_debit"] == "CRDT" and ref not in per_entry
    ]
    assert over and unallocated
    assert len(unallocated) < 0.1 * len(per_entry)


def test_invoices_are_never_paid_or_credited_beyond_their_amount(demo: Path) -> None:
    docs = latest(valid_rows(demo, "erp_invoices"), "invoice_id", "updated_at")
    reduced: dict[str, Decimal] = defaultdict(Decimal)
    for a in valid_rows(demo, "erp_payment_allocations"):
        reduced[a["invoice_id"]] += Decimal(a["amount"])
    notes = [d for d in docs.values() if d["document_type"] == "credit_note"]
    assert notes
    for note in notes:
        ref = docs[note["reference_invoice_id"]]
        assert ref["document_type"] == "invoice" and ref["debtor_id"] == note["debtor_id"]
        assert note["issue_date"] >= ref["issue_date"]
        reduced[ref["invoice_id"]] += Decimal(note["amount"])
    for invoice_id, total in reduced.items():
        assert total <= Decimal(docs[invoice_id]["amount"]), invoice_id


def test_payments_are_early_late_partial_and_grouped(demo: Path) -> None:
    invoices = latest(valid_rows(demo, "erp_invoices"), "invoice_id", "updated_at")
    bank = _bank(demo)
    allocations = valid_rows(demo, "erp_payment_allocations")
    delays = [
        (
            date.fromisoformat(bank[a["payment_ref"]]["value_date"])
            - date.fromisoformat(invoices[a["invoice_id"]]["due_date"])
        ).days
        for a in allocations
    ]
    assert sum(d < 0 for d in delays) > 200 and sum(d > 30 for d in delays) > 200
    per_invoice = Counter(a["invoice_id"] for a in allocations)
    per_entry = Counter(a["payment_ref"] for a in allocations)
    assert sum(n > 1 for n in per_invoice.values()) > 50  # partial payments
    assert sum(n > 1 for n in per_entry.values()) > 50  # one transfer, several invoices


def test_bank_entries_fall_on_business_days_with_value_date_up_to_two_days_before(demo: Path):
    entries = valid_rows(demo, "bank_entries")
    debits = [e for e in entries if e["credit_debit"] == "DBIT"]
    assert len(debits) > 30 and any("Refund" in (e["remittance_info"] or "") for e in debits)
    for e in entries:
        booking, value = date.fromisoformat(e["booking_date"]), date.fromisoformat(e["value_date"])
        assert is_bank_day(booking) and booking.weekday() < 5
        lag = [value + timedelta(days=n) for n in range(1, (booking - value).days + 1)]
        assert is_bank_day(value) and sum(map(is_bank_day, lag)) <= 2
        assert e["entry_status"] == "BOOK"
    refs = [e.values["entry_ref"] for e in read_rows(demo, SOURCES_BY_NAME["bank_entries"])]
    assert len(refs) == len(set(refs))


def test_ibans_carry_valid_check_digits(demo: Path) -> None:
    ibans = {e["counterparty_iban"] for e in valid_rows(demo, "bank_entries")}
    ibans |= {e["account_iban"] for e in valid_rows(demo, "bank_entries")}
    ibans.discard(None)
    assert len(ibans) > 100
    assert all(iban_is_valid(i) for i in ibans)
    assert not iban_is_valid("FR7630004008230001234567818")


def test_statements_have_the_listed_elements_and_balances_roll_forward(tiny: Path) -> None:
    source = SOURCES_BY_NAME["bank_entries"]
    previous_closing: dict[str, Decimal] = {}
    files = files_of(tiny, source)
    assert len(files) == 3 * len(history_months(AS_OF))  # one per month and currency
    for path in files:
        root = ET.parse(path).getroot()
        assert root.tag == "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.02}Document"
        for element in ("GrpHdr/c:MsgId", "GrpHdr/c:CreDtTm", "Stmt/c:Id", "Stmt/c:CreDtTm"):
            assert root.find(f"c:BkToCstmrStmt/c:{element}", NS).text
        stmt = root.find("c:BkToCstmrStmt/c:Stmt", NS)
        currency = stmt.find("c:Acct/c:Ccy", NS).text
        assert iban_is_valid(stmt.find("c:Acct/c:Id/c:IBAN", NS).text)
        assert path.name.startswith(f"statement_{currency}_")
        balances = {}
        for bal in stmt.findall("c:Bal", NS):
            sign = 1 if bal.find("c:CdtDbtInd", NS).text == "CRDT" else -1
            balances[bal.find("c:Tp/c:CdOrPrtry/c:Cd", NS).text] = sign * Decimal(
                bal.find("c:Amt", NS).text
            )
            assert bal.find("c:Amt", NS).get("Ccy") == currency and bal.find("c:Dt/c:Dt", NS).text
        moved = Decimal(0)
        for ntry in stmt.findall("c:Ntry", NS):
            for element in (
                "Sts",
                "BookgDt/c:Dt",
                "ValDt/c:Dt",
                "AcctSvcrRef",
                "NtryDtls/c:TxDtls",
            ):
                assert ntry.find(f"c:{element}", NS) is not None, element
            amount = ntry.find("c:Amt", NS)
            assert amount.get("Ccy") == currency
            if "," not in amount.text:  # the planted malformed amount is not a movement
                sign = 1 if ntry.find("c:CdtDbtInd", NS).text == "CRDT" else -1
                moved += sign * Decimal(amount.text)
        assert balances["OPBD"] + moved == balances["CLBD"]
        if currency in previous_closing:
            assert balances["OPBD"] == previous_closing[currency]
        previous_closing[currency] = balances["CLBD"]


def test_customer_payments_name_the_debtor_and_its_account(demo: Path) -> None:
    bank = _bank(demo)
    customers = latest(valid_rows(demo, "erp_customers"), "debtor_id", "updated_at")
    invoices = latest(valid_rows(demo, "erp_invoices"), "invoice_id", "updated_at")
    for a in valid_rows(demo, "erp_payment_allocations"):
        entry = bank[a["payment_ref"]]
        debtor = customers[invoices[a["invoice_id"]]["debtor_id"]]
        assert entry["counterparty_name"].lower() == debtor["name"].lower()
        assert (entry["counterparty_iban"] is None) == (debtor["country"] == "US")


def test_fx_has_one_rate_per_day_and_foreign_currency(tiny: Path) -> None:
    rows = [r.values for r in read_rows(tiny, SOURCES_BY_NAME["fx_rates"]) if not violations(r)]
    days = (AS_OF - history_months(AS_OF)[0]).days + 1
    assert Counter(r["currency"] for r in rows) == {"USD": days, "GBP": days}
    assert len({(r["rate_date"], r["currency"]) for r in rows}) == 2 * days
    assert all(0.5 < float(r["rate_to_reporting"]) < 2 for r in rows)
