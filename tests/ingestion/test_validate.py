from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from ingestion.contracts import SOURCES_BY_NAME
from ingestion.validate import validate

INVOICES = SOURCES_BY_NAME["erp_invoices"]


def invoice(**overrides: str | None) -> dict:
    row = {
        "invoice_id": "I1",
        "debtor_id": "D1",
        "invoice_number": "N1",
        "document_type": "invoice",
        "reference_invoice_id": None,
        "issue_date": "2024-02-29",
        "due_date": "2024-03-30",
        "amount": "100.50",
        "currency": "EUR",
        "updated_at": "2024-02-29T10:00:00Z",
    }
    return row | overrides


def run(*rows: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = pl.DataFrame(
        [r | {"_source_row": i + 2} for i, r in enumerate(rows)],
        schema={c: pl.String for c in INVOICES.columns} | {"_source_row": pl.Int64},
    )
    result = validate(frame, INVOICES)
    return result.valid, result.quarantine


def test_valid_invoice_is_typed_exactly() -> None:
    valid, quarantine = run(invoice())
    assert quarantine.is_empty()
    row = valid.row(0, named=True)
    assert row["issue_date"] == date(2024, 2, 29)
    assert row["amount"] == Decimal("100.50")


def test_each_broken_field_is_named_with_its_value_and_reason() -> None:
    valid, quarantine = run(
        invoice(invoice_id="A", amount="12,50"),
        invoice(invoice_id="B", currency="EUX"),
        invoice(invoice_id="C", issue_date="20/03/2026"),
        invoice(invoice_id="D", debtor_id=""),
        invoice(invoice_id="E", document_type="receipt"),
        invoice(invoice_id="F", amount="-5.00"),
        invoice(invoice_id="G", amount="1.005"),
        invoice(invoice_id="H", updated_at="2024-02-29 10:00:00"),
        invoice(invoice_id="I", issue_date="2023-02-29"),
    )
    assert valid.is_empty()
    got = {(r["source_row"], r["field"], r["value"]) for r in quarantine.iter_rows(named=True)}
    assert got == {
        (2, "amount", "12,50"),
        (3, "currency", "EUX"),
        (4, "issue_date", "20/03/2026"),
        (5, "debtor_id", ""),
        (6, "document_type", "receipt"),
        (7, "amount", "-5.00"),
        (8, "amount", "1.005"),
        (9, "updated_at", "2024-02-29 10:00:00"),
        (10, "issue_date", "2023-02-29"),
    }
    reasons = dict(zip(quarantine["source_row"], quarantine["reason"], strict=True))
    assert reasons[2].startswith("not a number")
    assert reasons[7].startswith("must be a positive number")
    assert reasons[5] == "required field is empty"


def test_credit_note_without_reference_and_due_before_issue_are_rejected() -> None:
    valid, quarantine = run(
        invoice(invoice_id="CN1", document_type="credit_note"),
        invoice(invoice_id="I2", due_date="2024-02-28"),
        invoice(invoice_id="CN2", document_type="credit_note", reference_invoice_id="I1"),
    )
    assert valid["invoice_id"].to_list() == ["CN2"]
    assert sorted(quarantine["field"].to_list()) == ["due_date", "reference_invoice_id"]


def test_every_row_lands_in_exactly_one_output() -> None:
    rows = [invoice(invoice_id=str(i), amount="x" if i % 3 == 0 else "1.00") for i in range(30)]
    valid, quarantine = run(*rows)
    assert valid.height + quarantine.height == 30
    assert quarantine.height == 10
    assert quarantine["record"].str.contains('"amount":"x"').all()


def test_case_event_payload_must_carry_the_keys_of_its_type() -> None:
    events = SOURCES_BY_NAME["cases_case_events"]
    frame = pl.DataFrame(
        {
            "event_id": ["E1", "E2", "E3"],
            "case_id": ["C1"] * 3,
            "occurred_at": ["2026-01-01T09:00:00Z"] * 3,
            "event_type": ["promise_made", "promise_made", "stage_changed"],
            "actor_id": ["A1"] * 3,
            "payload": [
                '{"promise_id":"P1","amount":"10.00","currency":"EUR","promised_date":"2026-01-05"}',
                '{"promise_id":"P2","amount":"10.00","currency":"EUR"}',
                "[1, 2]",
            ],
            "_source_row": [1, 2, 3],
        }
    )
    result = validate(frame, events)
    assert result.valid["event_id"].to_list() == ["E1"]
    reasons = result.quarantine.sort("source_row")["reason"].to_list()
    assert reasons == [
        "payload of promise_made lacks promised_date",
        "payload must be a JSON object",
    ]


def test_case_event_payload_values_must_fit_their_kind() -> None:
    """A payload value the marts would cast (amount, currency, date, enum) is checked at the
    door: a bad one is quarantined naming the key, never left to fail the dbt build."""
    events = SOURCES_BY_NAME["cases_case_events"]
    promise = '{"promise_id":"P","amount":%s,"currency":"%s","promised_date":"%s"}'
    payloads = {
        "E1": ("promise_made", promise % ('"abc"', "EUR", "2026-01-05")),
        "E2": ("promise_made", promise % ('"10.00"', "EUR", "05/01/2026")),
        "E3": ("fee_charged", '{"amount":"5.00","currency":"QQQ","reason":"late"}'),
        "E4": ("closed", '{"reason":"bored"}'),
        "E5": ("dispute_resolved", '{"dispute_id":"D1","outcome":"maybe"}'),
        "E6": ("stage_changed", '{"stage":"court"}'),
        "E7": ("promise_made", promise % ("58.4", "EUR", "2026-01-05")),  # a JSON number
        "E8": ("referred_to_litigation", '{"amount":"-3.00","currency":"EUR","reason":"x"}'),
    }
    frame = pl.DataFrame(
        {
            "event_id": list(payloads),
            "case_id": ["C1"] * len(payloads),
            "occurred_at": ["2026-01-01T09:00:00Z"] * len(payloads),
            "event_type": [event_type for event_type, _ in payloads.values()],
            "actor_id": ["A1"] * len(payloads),
            "payload": [payload for _, payload in payloads.values()],
            "_source_row": list(range(1, len(payloads) + 1)),
        }
    )
    result = validate(frame, events)
    assert result.valid["event_id"].to_list() == ["E7"]
    quarantine = result.quarantine.sort("source_row")
    assert set(quarantine["field"]) == {"payload"}
    assert quarantine["reason"].to_list() == [
        "payload.amount of promise_made: not a number: expected digits with a dot as decimal"
        " separator",
        "payload.promised_date of promise_made: not a date: expected YYYY-MM-DD",
        "payload.currency of fee_charged: unknown ISO 4217 currency code",
        "payload.reason of closed: must be one of paid_in_full | plan_completed | settled"
        " | written_off | litigation",
        "payload.outcome of dispute_resolved: must be one of upheld | rejected",
        "payload.stage of stage_changed: must be one of reminder | contact | negotiation"
        " | payment_plan | formal_demand | pre_litigation",
        "payload.amount of referred_to_litigation: must be a positive number with at most 2"
        " decimals",
    ]
