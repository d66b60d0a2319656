"""Every SQL check, with the asset it guards, the assets it also reads, its level
(`data_quality.policy`: blocking, row or warning) and the reason for that level.

The checks read source rows as staging keeps them (`staging.stg_*`), so each depends on the
staging models it reads and runs after dbt. Open AR in the ageing is reconciled to the sources
by the dbt test `assert_ageing_reconciles_to_sources` (blocking), not here: one home per rule."""

from __future__ import annotations

from data_quality.integrity import (
    allocations_paid_on_or_after_issue,
    allocations_reference_known_invoices,
    contacts_reference_known_cases,
)
from data_quality.reconciliation import (
    contacts_reconcile_to_loaded,
    payments_reconcile_to_allocations,
)
from data_quality.sqlcheck import BUILD, SqlCheck, staging

SQL_CHECKS: tuple[SqlCheck, ...] = (
    SqlCheck(
        "allocations_reference_known_invoices",
        ("raw", "erp_payment_allocations"),
        (staging("erp_payment_allocations"), staging("erp_invoices")),
        "row",
        "cash allocated to an unknown invoice reduces no receivable: the allocation is left out "
        "of every figure (open AR holds the invoice's own amount) and listed here",
        allocations_reference_known_invoices,
    ),
    SqlCheck(
        "allocations_paid_on_or_after_issue",
        ("raw", "erp_payment_allocations"),
        (staging("erp_payment_allocations"), staging("erp_invoices"), staging("bank_entries")),
        "warning",
        "cash applied before its invoice existed hints at a wrong allocation or a back-dated "
        "invoice (a deposit can be genuine: a warning, not a block)",
        allocations_paid_on_or_after_issue,
    ),
    *(
        SqlCheck(
            f"{table}_reference_known_cases",
            ("raw", table),
            (staging(table), staging("cases_cases")),
            "row",
            "a contact on an unknown case is left out of every case, agent and compliance "
            "figure and listed here",
            contacts_reference_known_cases(table),
        )
        for table in ("contacts_calls", "contacts_messages")
    ),
    SqlCheck(
        "payments_reconcile_to_allocations",
        ("raw", "erp_payment_allocations"),
        (staging("erp_payment_allocations"), staging("bank_entries"), staging("erp_invoices")),
        "row",
        "cash allocated beyond what a bank entry received, or across currencies: the ledger's "
        "allocations are taken as the ERP states them and the entries are listed here",
        payments_reconcile_to_allocations,
    ),
    SqlCheck(
        "contacts_reconcile_to_loaded",
        ("intermediate", "int_ops_case_contacts"),
        (
            ("raw", "contacts_calls"),
            ("raw", "contacts_messages"),
            staging("contacts_calls"),
            staging("contacts_messages"),
            BUILD,
        ),
        "blocking",
        "every loaded contact (duplicates removed) must reach the contact figures exactly once",
        contacts_reconcile_to_loaded,
        scoped=False,
    ),
)
SQL_CHECKS_BY_NAME = {c.name: c for c in SQL_CHECKS}
