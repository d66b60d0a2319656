"""Every SQL check, with the asset it guards, the assets it also reads and its level."""

from __future__ import annotations

from data_quality.integrity import (
    allocations_paid_on_or_after_issue,
    allocations_reference_known_invoices,
    contacts_reference_known_cases,
)
from data_quality.reconciliation import (
    ageing_reconciles_to_raw,
    contacts_reconcile_to_loaded,
    payments_reconcile_to_allocations,
)
from data_quality.sqlcheck import SqlCheck

_AGEING = ("marts", "fct_ar_ageing")

SQL_CHECKS: tuple[SqlCheck, ...] = (
    SqlCheck(
        "allocations_reference_known_invoices",
        ("raw", "erp_payment_allocations"),
        (("raw", "erp_invoices"),),
        True,
        "cash allocated to an unknown invoice reduces no receivable: open AR is overstated",
        allocations_reference_known_invoices,
    ),
    SqlCheck(
        "allocations_paid_on_or_after_issue",
        ("raw", "erp_payment_allocations"),
        (("raw", "erp_invoices"), ("raw", "bank_entries")),
        False,
        "cash applied before its invoice existed hints at a wrong allocation or a back-dated "
        "invoice (a deposit can be genuine: a warning, not a block)",
        allocations_paid_on_or_after_issue,
    ),
    *(
        SqlCheck(
            f"{table}_reference_known_cases",
            ("raw", table),
            (("raw", "cases_cases"),),
            True,
            "a contact on an unknown case falls out of every case and agent figure",
            contacts_reference_known_cases(table),
        )
        for table in ("contacts_calls", "contacts_messages")
    ),
    SqlCheck(
        "payments_reconcile_to_allocations",
        ("raw", "erp_payment_allocations"),
        (("raw", "bank_entries"), ("raw", "erp_invoices")),
        True,
        "cash allocated beyond what was received counts collections twice",
        payments_reconcile_to_allocations,
    ),
    SqlCheck(
        "ageing_reconciles_to_raw",
        _AGEING,
        (
            ("raw", "erp_invoices"),
            ("raw", "erp_payment_allocations"),
            ("raw", "bank_entries"),
            ("intermediate", "int_ageing_snapshot_dates"),
        ),
        True,
        "the ageing must hold exactly the open receivables of the sources, to the cent",
        ageing_reconciles_to_raw,
    ),
    SqlCheck(
        "contacts_reconcile_to_loaded",
        ("intermediate", "int_ops_case_contacts"),
        (
            ("raw", "contacts_calls"),
            ("raw", "contacts_messages"),
            ("intermediate", "int_ageing_snapshot_dates"),
        ),
        True,
        "every loaded contact (duplicates removed) must reach the contact figures exactly once",
        contacts_reconcile_to_loaded,
    ),
)
SQL_CHECKS_BY_NAME = {c.name: c for c in SQL_CHECKS}
