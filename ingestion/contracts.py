"""Source contracts of the landing zone (DESIGN.md §3), as data.

One `SourceTable` per source table: where its files live, their format, and each field's kind.
Ingestion validates every row against these; the raw DuckDB tables are created from them; the
sample generator and the dbt sources follow the same names. Change a contract here and nowhere
else.

Field kinds and what a valid value looks like:
- ``text``       any non-empty string
- ``date``       ``YYYY-MM-DD``, a real calendar date
- ``timestamp``  ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (UTC)
- ``amount``     decimal string with a dot, at most 2 decimals, strictly positive
- ``rate``       decimal string with a dot, at most 10 decimals, strictly positive
- ``integer``    non-negative whole number
- ``currency``   an ISO 4217 code from `ingestion.currencies.ISO_4217`
- ``country``    two upper-case letters (ISO 3166-1 alpha-2)
- ``timezone``   an IANA time-zone name known to the standard library's zoneinfo
- ``enum``       one of `Field.allowed`
- ``boolean``    ``true`` or ``false``
- ``json``       a JSON object (case-event payloads) carrying the keys `EVENT_PAYLOADS` gives
                 its event type, each value valid for its kind (an amount, a currency, a date...)

Rules across fields: a credit note names its `reference_invoice_id`, an invoice does not; an
invoice's `due_date` is not before its `issue_date`; a bank entry is booked (`entry_status`
BOOK): a pending or information-only entry is quarantined with its status.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

CALL_OUTCOMES = (
    "no_answer",
    "busy",
    "voicemail",
    "wrong_party",
    "right_party_contact",
    "promise_to_pay",
    "refusal",
    "dispute",
)
MESSAGE_OUTCOMES = ("sent", "delivered", "bounced", "opened", "returned")
MESSAGE_CHANNELS = ("email", "sms", "letter", "registered_letter", "portal")
DIRECTIONS = ("inbound", "outbound")
EVENT_TYPES = (
    "stage_changed",
    "assigned",
    "promise_made",
    "dispute_opened",
    "dispute_resolved",
    "cease_requested",
    "attorney_represented",
    "fee_charged",
    "referred_to_litigation",
    "closed",
    "reopened",
)
STAGES = ("reminder", "contact", "negotiation", "payment_plan", "formal_demand", "pre_litigation")
DISPUTE_OUTCOMES = ("upheld", "rejected")
CLOSE_REASONS = ("paid_in_full", "plan_completed", "settled", "written_off", "litigation")

# DuckDB column type of each field kind in the raw tables.
RAW_TYPES: dict[str, str] = {
    "text": "varchar",
    "date": "date",
    "timestamp": "timestamp",
    "amount": "decimal(18, 2)",
    "rate": "decimal(24, 10)",
    "integer": "bigint",
    "currency": "varchar",
    "country": "varchar",
    "timezone": "varchar",
    "enum": "varchar",
    "boolean": "boolean",
    "json": "varchar",
}

# Load metadata every raw row carries. `_extracted_at` is the extraction time in the file's name
# (`ingestion.landing`); with `_loaded_at` and `_source_row` it orders a record's versions.
# Appended last: warehouses created before it get it by `alter table` (`ingestion.load`).
METADATA_COLUMNS: dict[str, str] = {
    "_source_file": "varchar",
    "_source_row": "bigint",
    "_loaded_at": "timestamp",
    "_batch_id": "varchar",
    "_extracted_at": "timestamp",
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"
    required: bool = True
    allowed: tuple[str, ...] = ()


# The keys each case-event payload must carry, with the kind of their value (DESIGN.md §3).
EVENT_PAYLOADS: dict[str, tuple[Field, ...]] = {
    "stage_changed": (Field("stage", "enum", allowed=STAGES),),
    "assigned": (Field("agent_id"),),
    "promise_made": (
        Field("promise_id"),
        Field("amount", "amount"),
        Field("currency", "currency"),
        Field("promised_date", "date"),
    ),
    "dispute_opened": (Field("dispute_id"), Field("invoice_id"), Field("reason")),
    "dispute_resolved": (Field("dispute_id"), Field("outcome", "enum", allowed=DISPUTE_OUTCOMES)),
    "cease_requested": (),
    "attorney_represented": (),
    "fee_charged": (Field("amount", "amount"), Field("currency", "currency"), Field("reason")),
    "referred_to_litigation": (
        Field("amount", "amount"),
        Field("currency", "currency"),
        Field("reason"),
    ),
    "closed": (Field("reason", "enum", allowed=CLOSE_REASONS),),
    "reopened": (),
}
EVENT_PAYLOAD_KEYS: dict[str, tuple[str, ...]] = {
    event_type: tuple(f.name for f in fields) for event_type, fields in EVENT_PAYLOADS.items()
}


@dataclass(frozen=True)
class SourceTable:
    """One source table: files `folder/pattern` in `fmt` (csv, jsonl, camt053 or mt940), and
    any `other_formats`: further (pattern, fmt) pairs feeding the same table (bank statements
    come as camt.053 XML or as MT940)."""

    name: str  # raw table name, also the Dagster asset key ["raw", name]
    folder: str
    pattern: str
    fmt: str
    fields: tuple[Field, ...]
    key: str  # business key; staging keeps one row per key
    description: str = ""
    updated_at: str | None = None  # field that orders corrections, if the source has one
    other_formats: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def patterns(self) -> tuple[tuple[str, str], ...]:
        """Every (file-name pattern, format) of the source, the main one first."""
        return ((self.pattern, self.fmt), *self.other_formats)

    def format_of(self, name: str) -> str | None:
        """The format of a file named `name` (letter case aside), None when no pattern
        matches."""
        lower = name.lower()
        return next((fmt for pat, fmt in self.patterns if fnmatch.fnmatchcase(lower, pat)), None)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _f(
    name: str, kind: str = "text", *, optional: bool = False, allowed: tuple[str, ...] = ()
) -> Field:
    return Field(name=name, kind=kind, required=not optional, allowed=allowed)


SOURCES: tuple[SourceTable, ...] = (
    SourceTable(
        name="erp_customers",
        folder="erp",
        pattern="customers_*.csv",
        fmt="csv",
        key="debtor_id",
        updated_at="updated_at",
        description="Debtors from the ERP.",
        fields=(
            _f("debtor_id"),
            _f("name"),
            _f("segment", "enum", allowed=("B2B", "B2C")),
            _f("country", "country"),
            _f("timezone", "timezone"),
            _f("email", optional=True),
            _f("phone", optional=True),
            _f("credit_limit", "amount", optional=True),
            _f("currency", "currency"),
            _f("updated_at", "timestamp"),
        ),
    ),
    SourceTable(
        name="erp_invoices",
        folder="erp",
        pattern="invoices_*.csv",
        fmt="csv",
        key="invoice_id",
        updated_at="updated_at",
        description="Invoices and credit notes from the ERP.",
        fields=(
            _f("invoice_id"),
            _f("debtor_id"),
            _f("invoice_number"),
            _f("document_type", "enum", allowed=("invoice", "credit_note")),
            _f("reference_invoice_id", optional=True),
            _f("issue_date", "date"),
            _f("due_date", "date"),
            _f("amount", "amount"),
            _f("currency", "currency"),
            _f("updated_at", "timestamp"),
        ),
    ),
    SourceTable(
        name="erp_payment_allocations",
        folder="erp",
        pattern="payment_allocations_*.csv",
        fmt="csv",
        key="allocation_id",
        updated_at="allocated_at",
        description="Allocations of bank payments to invoices, from the ERP.",
        fields=(
            _f("allocation_id"),
            _f("payment_ref"),
            _f("invoice_id"),
            _f("amount", "amount"),
            _f("allocated_at", "timestamp"),
        ),
    ),
    SourceTable(
        name="cases_cases",
        folder="cases",
        pattern="cases_*.jsonl",
        fmt="jsonl",
        key="case_id",
        updated_at="updated_at",
        description="Collection cases from the case tool.",
        fields=(
            _f("case_id"),
            _f("debtor_id"),
            _f("opened_at", "timestamp"),
            _f("placed_amount", "amount"),
            _f("currency", "currency"),
            _f("strategy"),
            _f("agent_id"),
            _f("jurisdiction", "country"),
            _f("updated_at", "timestamp"),
        ),
    ),
    SourceTable(
        name="cases_case_events",
        folder="cases",
        pattern="case_events_*.jsonl",
        fmt="jsonl",
        key="event_id",
        description="Case events (stages, promises, disputes, referrals...) from the case tool.",
        fields=(
            _f("event_id"),
            _f("case_id"),
            _f("occurred_at", "timestamp"),
            _f("event_type", "enum", allowed=EVENT_TYPES),
            _f("actor_id"),
            _f("payload", "json"),
        ),
    ),
    SourceTable(
        name="cases_agents",
        folder="cases",
        pattern="agents_*.jsonl",
        fmt="jsonl",
        key="agent_id",
        description="Collection agents and their teams.",
        fields=(
            _f("agent_id"),
            _f("name"),
            _f("team"),
            _f("supervisor_id", optional=True),
            _f("active_from", "date"),
            _f("active_to", "date", optional=True),
        ),
    ),
    SourceTable(
        name="contacts_calls",
        folder="contacts",
        pattern="calls_*.csv",
        fmt="csv",
        key="contact_id",
        description="Dialer call log.",
        fields=(
            _f("contact_id"),
            _f("case_id"),
            _f("debtor_id"),
            _f("agent_id"),
            _f("direction", "enum", allowed=DIRECTIONS),
            _f("started_at", "timestamp"),
            _f("duration_s", "integer"),
            _f("outcome", "enum", allowed=CALL_OUTCOMES),
        ),
    ),
    SourceTable(
        name="contacts_messages",
        folder="contacts",
        pattern="messages_*.jsonl",
        fmt="jsonl",
        key="contact_id",
        description="E-mail, SMS, letter and portal messages.",
        fields=(
            _f("contact_id"),
            _f("case_id"),
            _f("debtor_id"),
            _f("agent_id", optional=True),
            _f("channel", "enum", allowed=MESSAGE_CHANNELS),
            _f("direction", "enum", allowed=DIRECTIONS),
            _f("sent_at", "timestamp"),
            _f("template_id", optional=True),
            _f("outcome", "enum", allowed=MESSAGE_OUTCOMES),
        ),
    ),
    SourceTable(
        name="bank_entries",
        folder="bank",
        pattern="*.xml",
        fmt="camt053",
        other_formats=(("*.sta", "mt940"), ("*.mt940", "mt940")),
        key="entry_ref",
        description=(
            "Bank statement entries (ISO 20022 camt.053, one row per Ntry; or SWIFT MT940,"
            " one row per :61:)."
        ),
        fields=(
            _f("statement_id"),
            _f("account_iban"),
            _f("entry_ref"),
            _f("booking_date", "date"),
            _f("value_date", "date"),
            _f("amount", "amount"),
            _f("currency", "currency"),
            _f("credit_debit", "enum", allowed=("CRDT", "DBIT")),
            _f("is_reversal", "boolean"),
            _f("entry_status"),
            _f("bank_transaction_code", optional=True),
            _f("counterparty_name", optional=True),
            _f("counterparty_iban", optional=True),
            _f("remittance_info", optional=True),
        ),
    ),
    SourceTable(
        name="fx_rates",
        folder="fx",
        pattern="fx_rates_*.csv",
        fmt="csv",
        key="rate_date, currency",
        description="Daily exchange rates to the reporting currency.",
        fields=(
            _f("rate_date", "date"),
            _f("currency", "currency"),
            _f("rate_to_reporting", "rate"),
        ),
    ),
)

SOURCES_BY_NAME: dict[str, SourceTable] = {s.name: s for s in SOURCES}


def raw_table_ddl(source: SourceTable, schema: str = "raw") -> str:
    """`create table if not exists` statement for a source's raw table."""
    cols = [f"{f.name} {RAW_TYPES[f.kind]}" for f in source.fields]
    cols += [f"{name} {type_}" for name, type_ in METADATA_COLUMNS.items()]
    return f"create table if not exists {schema}.{source.name} ({', '.join(cols)})"
