"""Data-quality suites as code: one function per checked table, each returning a GX suite.

Every expectation carries ``meta = {"blocking": bool, "reason": str}``:
- BLOCKING: a failure means figures built downstream would be wrong; the Dagster check fails
  with severity ERROR and downstream assets do not run.
- WARNING: worth a look, but the figures stay right; the check fails with severity WARN.

Uniqueness on raw tables. Raw tables are append-only: a later file may legitimately repeat or
correct a row, so the business key alone is not unique. Staging keeps, per key, the row with the
latest ``updated_at`` then the latest ``_source_file`` (sources without ``updated_at``: the latest
file). That rule picks exactly one row iff ``(key, updated_at, _source_file)`` is unique, so this
is what the suites check (``(key, _source_file)`` without ``updated_at``). A duplicate means
either the same key twice in one file with the same timestamp (staging's choice would be
arbitrary) or a file loaded twice; both are blocking. Checking this on all rows is equivalent to
checking "one latest row per key" and needs no pre-aggregation.

Row checks run on every raw row, not only the latest per key: ingestion quarantines rows that
break their contract, so any bad row that reached ``raw`` is an ingestion defect.

Suite ``meta`` names the table (``schema.name``), the columns that identify a failing row in
reports (``id_columns``: the key, plus ``_source_file`` and ``_source_row`` on raw tables) and
the Dagster asset key of the table (``asset_key``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from ingestion.contracts import SOURCES_BY_NAME
from ingestion.currencies import ISO_4217

RAW_LOCATION = ["_source_file", "_source_row"]
AGEING_BUCKETS = ("current", "1-30", "31-60", "61-90", "91-120", "120+")
IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
_CURRENCIES = sorted(ISO_4217)

E = gx.expectations


def blocking(reason: str, expectation: Expectation) -> Expectation:
    """Mark an expectation as blocking: its failure would make downstream figures wrong."""
    expectation.meta = {"blocking": True, "reason": reason}
    return expectation


def warning(reason: str, expectation: Expectation) -> Expectation:
    """Mark an expectation as a warning: worth a look, figures stay right."""
    expectation.meta = {"blocking": False, "reason": reason}
    return expectation


def is_blocking(expectation: Expectation) -> bool:
    """Whether an expectation is blocking; unmarked expectations are blocking (fail safe)."""
    return bool((expectation.meta or {}).get("blocking", True))


def _suite(
    table: str, id_columns: list[str], asset_key: list[str], expectations: list[Expectation]
) -> gx.ExpectationSuite:
    meta: dict[str, Any] = {"table": table, "id_columns": id_columns, "asset_key": asset_key}
    # Passed to the constructor: `add_expectation` would need an active GX context.
    return gx.ExpectationSuite(name=table, expectations=expectations, meta=meta)


def _raw_unique(table: str) -> Expectation:
    source = SOURCES_BY_NAME[table]
    columns = [source.key] + ([source.updated_at] if source.updated_at else []) + ["_source_file"]
    return blocking(
        "staging's latest-row rule must pick one row per key; a tie means an ambiguous "
        "correction or a file loaded twice",
        E.ExpectCompoundColumnsToBeUnique(column_list=columns),
    )


def _not_null(column: str, reason: str, *, is_blocking: bool = True) -> Expectation:
    mark = blocking if is_blocking else warning
    return mark(reason, E.ExpectColumnValuesToNotBeNull(column=column))


def _currency() -> Expectation:
    return blocking(
        "an unknown currency has no FX rate, so reporting-currency amounts would be wrong",
        E.ExpectColumnValuesToBeInSet(column="currency", value_set=_CURRENCIES),
    )


def _positive_amount() -> Expectation:
    return blocking(
        "amounts are positive by contract; the sign comes from document_type / credit_debit",
        E.ExpectColumnValuesToBeBetween(column="amount", min_value=0, strict_min=True),
    )


def _not_empty(what: str) -> Expectation:
    return warning(
        f"no {what} loaded yet: figures are empty rather than wrong",
        E.ExpectTableRowCountToBeBetween(min_value=1),
    )


def erp_invoices_suite() -> gx.ExpectationSuite:
    """Invoices and credit notes (raw.erp_invoices)."""
    is_invoice = Column("document_type") == "invoice"
    is_credit_note = Column("document_type") == "credit_note"
    expectations = [
        _not_empty("invoices"),
        _not_null("invoice_id", "a row without its key cannot be deduplicated or joined"),
        _not_null("debtor_id", "the item would fall out of every debtor and segment figure"),
        _not_null("invoice_number", "display only", is_blocking=False),
        _not_null("issue_date", "credit sales and DSO are placed by issue date"),
        _not_null("due_date", "ageing buckets are computed from the due date"),
        _not_null("amount", "open amounts would be wrong"),
        _not_null("updated_at", "staging orders corrections by updated_at"),
        blocking(
            "the type decides whether an amount adds to or reduces receivables",
            E.ExpectColumnValuesToBeInSet(
                column="document_type", value_set=["invoice", "credit_note"]
            ),
        ),
        _positive_amount(),
        _currency(),
        blocking(
            "an invoice due before it was issued overstates days past due",
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="due_date", column_B="issue_date", or_equal=True, row_condition=is_invoice
            ),
        ),
        blocking(
            "a credit note without its invoice cannot reduce it: open AR is overstated",
            E.ExpectColumnValuesToNotBeNull(
                column="reference_invoice_id", row_condition=is_credit_note
            ),
        ),
        warning(
            "the models ignore an invoice's reference; it hints at an ERP export mix-up",
            E.ExpectColumnValuesToBeNull(column="reference_invoice_id", row_condition=is_invoice),
        ),
        _raw_unique("erp_invoices"),
    ]
    return _suite(
        "raw.erp_invoices", ["invoice_id", *RAW_LOCATION], ["raw", "erp_invoices"], expectations
    )


def bank_entries_suite() -> gx.ExpectationSuite:
    """Bank statement entries (raw.bank_entries)."""
    expectations = [
        _not_empty("bank entries"),
        _not_null("entry_ref", "allocations point to entries by entry_ref (payment_ref)"),
        _not_null("statement_id", "the entry cannot be traced to its statement"),
        _not_null("account_iban", "the entry cannot be placed on an account"),
        _not_null("booking_date", "bank reconciliation is by booking date"),
        _not_null("value_date", "the payment date of an allocation is its entry's value date"),
        _not_null("amount", "payments would be missing from collected amounts"),
        blocking(
            "credit/debit decides the sign of the movement",
            E.ExpectColumnValuesToBeInSet(column="credit_debit", value_set=["CRDT", "DBIT"]),
        ),
        _positive_amount(),
        _currency(),
        warning(
            "a malformed IBAN does not change any figure, but hints at a parser problem",
            E.ExpectColumnValuesToMatchRegex(column="account_iban", regex=IBAN_PATTERN),
        ),
        warning(
            "counterparty IBANs only help matching; nulls are allowed",
            E.ExpectColumnValuesToMatchRegex(column="counterparty_iban", regex=IBAN_PATTERN),
        ),
        _raw_unique("bank_entries"),
    ]
    return _suite(
        "raw.bank_entries", ["entry_ref", *RAW_LOCATION], ["raw", "bank_entries"], expectations
    )


def _bucket_rule(bucket: str, low: int | None, high: int | None) -> Expectation:
    return blocking(
        f"bucket '{bucket}' must hold exactly the items {low}..{high} days past due",
        E.ExpectColumnValuesToBeBetween(
            column="days_past_due",
            min_value=low,
            max_value=high,
            row_condition=Column("ageing_bucket") == bucket,
        ),
    )


def fct_ar_ageing_suite() -> gx.ExpectationSuite:
    """Receivables ageing mart (marts.fct_ar_ageing), DESIGN.md §4."""
    key_reason = "the mart's grain is open item x snapshot date"
    expectations = [
        _not_null("snapshot_date", key_reason),
        _not_null("invoice_id", key_reason),
        _not_null("debtor_id", "the item would fall out of debtor drill-downs"),
        _not_null("due_date", "days past due derive from the due date"),
        _not_null("open_amount_rc", "a missing FX rate would drop the item from totals"),
        _not_null("segment", "debtor missing from the customer master", is_blocking=False),
        blocking(
            key_reason,
            E.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_date", "invoice_id"]),
        ),
        blocking(
            "bucket labels are fixed by DESIGN.md §4",
            E.ExpectColumnValuesToBeInSet(column="ageing_bucket", value_set=list(AGEING_BUCKETS)),
        ),
        blocking(
            "open amount is never below zero (excess credit is reported apart)",
            E.ExpectColumnValuesToBeBetween(column="open_amount", min_value=0),
        ),
        _currency(),
        _bucket_rule("current", None, 0),
        _bucket_rule("1-30", 1, 30),
        _bucket_rule("31-60", 31, 60),
        _bucket_rule("61-90", 61, 90),
        _bucket_rule("91-120", 91, 120),
        _bucket_rule("120+", 121, None),
    ]
    return _suite(
        "marts.fct_ar_ageing",
        ["snapshot_date", "invoice_id"],
        ["marts", "fct_ar_ageing"],
        expectations,
    )


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "raw.erp_invoices": erp_invoices_suite,
    "raw.bank_entries": bank_entries_suite,
    "marts.fct_ar_ageing": fct_ar_ageing_suite,
}
