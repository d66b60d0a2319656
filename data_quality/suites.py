"""Data-quality suites as code: one function per raw table, each returning a GX suite (mart
invariants are dbt tests beside each mart: one home per rule).

Every expectation carries ``meta = {"blocking": bool, "reason": str}``:
- BLOCKING: a failure means figures built downstream would be wrong; the Dagster check fails
  with severity ERROR and downstream assets do not run.
- WARNING: worth a look, but the figures stay right; the check fails with severity WARN.

Uniqueness on raw tables. Raw tables are append-only: a later file may legitimately repeat or
correct a row, so the business key alone is not unique. Staging keeps, per key, the latest
version (macro ``deduplicate_latest``: ``updated_at``, then the extraction time in the file
name, then the load, then the row). The suites warn about every key whose versions only the
load or the row order (a key twice in one file, a file re-delivered under its name with other
content): staging's choice is documented and a corrected file clears it (the warning names a
key only while no later version of it exists), so it never blocks.

Row checks run on every raw row, not only the latest per key: ingestion quarantines rows that
break their contract, so any bad row that reached ``raw`` is an ingestion defect.

Suite ``meta`` names the table (``schema.name``), the columns that identify a failing row in
reports (``id_columns``: the key, plus ``_source_file`` and ``_source_row`` on raw tables) and
the Dagster asset key of the table (``asset_key``).
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from data_quality.expectations import (
    RAW_LOCATION,
    E,
    blocking,
    currency,
    is_blocking,
    make_suite,
    not_empty,
    not_null,
    positive_amount,
    raw_unique,
    warning,
)
from data_quality.suites_raw import RAW_SUITES

IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"


def erp_invoices_suite() -> gx.ExpectationSuite:
    """Invoices and credit notes (raw.erp_invoices)."""
    is_invoice = Column("document_type") == "invoice"
    is_credit_note = Column("document_type") == "credit_note"
    expectations = [
        not_empty("invoices"),
        not_null("invoice_id", "a row without its key cannot be deduplicated or joined"),
        not_null("debtor_id", "the item would fall out of every debtor and segment figure"),
        not_null("invoice_number", "display only", is_blocking=False),
        not_null("issue_date", "credit sales and DSO are placed by issue date"),
        not_null("due_date", "ageing buckets are computed from the due date"),
        not_null("amount", "open amounts would be wrong"),
        not_null("updated_at", "staging orders corrections by updated_at"),
        blocking(
            "the type decides whether an amount adds to or reduces receivables",
            E.ExpectColumnValuesToBeInSet(
                column="document_type", value_set=["invoice", "credit_note"]
            ),
        ),
        positive_amount(),
        currency(),
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
        raw_unique("erp_invoices"),
    ]
    return make_suite(
        "raw.erp_invoices", ["invoice_id", *RAW_LOCATION], ["raw", "erp_invoices"], expectations
    )


def bank_entries_suite() -> gx.ExpectationSuite:
    """Bank statement entries (raw.bank_entries)."""
    expectations = [
        not_empty("bank entries"),
        not_null("entry_ref", "allocations point to entries by entry_ref (payment_ref)"),
        not_null("statement_id", "the entry cannot be traced to its statement"),
        not_null("account_iban", "the entry cannot be placed on an account"),
        not_null("booking_date", "bank reconciliation is by booking date"),
        not_null("value_date", "the payment date of an allocation is its entry's value date"),
        not_null("amount", "payments would be missing from collected amounts"),
        blocking(
            "credit/debit decides the sign of the movement",
            E.ExpectColumnValuesToBeInSet(column="credit_debit", value_set=["CRDT", "DBIT"]),
        ),
        positive_amount(),
        currency(),
        warning(
            "a malformed IBAN does not change any figure, but hints at a parser problem",
            E.ExpectColumnValuesToMatchRegex(column="account_iban", regex=IBAN_PATTERN),
        ),
        warning(
            "counterparty IBANs only help matching; nulls are allowed",
            E.ExpectColumnValuesToMatchRegex(column="counterparty_iban", regex=IBAN_PATTERN),
        ),
        raw_unique("bank_entries"),
    ]
    return make_suite(
        "raw.bank_entries", ["entry_ref", *RAW_LOCATION], ["raw", "bank_entries"], expectations
    )


SUITES: dict[str, Callable[[], gx.ExpectationSuite]] = {
    "raw.erp_invoices": erp_invoices_suite,
    "raw.bank_entries": bank_entries_suite,
    **RAW_SUITES,
}
"""Every suite by table (``schema.name``): every raw table. Mart invariants are dbt tests in
the YAML beside each mart (dbt_project/models/marts/), one home per rule."""

__all__ = ["RAW_LOCATION", "SUITES", "blocking", "is_blocking", "warning"]
