"""Reconciliations between the sources and the models built from them (SQL checks).

Source rows are read as staging keeps them (`staging.stg_*`: the latest version per key, the
one rule of `deduplicate_latest`), so a difference means a model lost, doubled or mis-dated
something, not that raw holds history. Open AR in the ageing is reconciled to the sources, to
the cent per invoice, by the dbt test `assert_ageing_reconciles_to_sources` (blocking).
"""

from __future__ import annotations

import duckdb

from data_quality.sqlcheck import INVOICES, MAX_KEYS, Scope, SqlOutcome, as_of_date, money, touched


def _entries_in_scope(scope: Scope) -> str:
    """The bank entries whose verdict a row in `scope` can change: the entry itself, an
    allocation to it, or an invoice such an allocation pays (its currency)."""
    return f"""
        select bank.entry_ref as ref from staging.stg_bank__entries as bank
        where {touched(scope, "bank")}
        union
        select allocations.payment_ref from staging.stg_erp__payment_allocations as allocations
        where {touched(scope, "allocations", INVOICES)}
    """


def payments_reconcile_to_allocations(
    con: duckdb.DuckDBPyConnection, scope: Scope | None = None
) -> SqlOutcome:
    """Payments in (bank payments: CRDT entries that are not reversals) = allocated +
    unallocated cash, per currency. An allocation to a debit or a reversal entry fails.

    Holds iff no entry is allocated beyond its amount and every allocation to an entry is in the
    entry's currency: the failing keys are those entries. Allocations whose payment_ref has no
    bank entry yet (statement not received) are counted apart, as the models date them by
    their allocation date. One DuckDB statement: failures, their first keys, the per-currency
    totals and the count apart come back as one row, whatever the number of entries.
    In a scope: the entries it can have changed (`_entries_in_scope`), their allocations and
    totals; the share of bad entries is out of every entry.
    """
    where_entry, where_payment = "", ""
    if scope is not None:
        in_scope = f"in (select ref from ({_entries_in_scope(scope)}))"
        where_entry, where_payment = f"where entry_ref {in_scope}", f"where payment_ref {in_scope}"
    sql = f"""
        with allocations as (
            select * from staging.stg_erp__payment_allocations {where_payment}
        ),
        invoices as (select * from staging.stg_erp__invoices),
        bank as (select * from staging.stg_bank__entries {where_entry}),
        per_entry as (
            select
                allocations.payment_ref,
                sum(allocations.allocated_amount) as allocated_amount,
                count(distinct invoices.currency) as currencies,
                min(invoices.currency) as invoice_currency
            from allocations
            left join invoices on allocations.invoice_id = invoices.invoice_id
            group by allocations.payment_ref
        ),
        entries as (
            select
                bank.entry_ref,
                bank.currency,
                bank.credit_debit,
                bank.is_payment,
                bank.entry_amount as amount,
                coalesce(per_entry.allocated_amount, 0) as allocated_amount,
                case
                    when not bank.is_payment
                        then bank.entry_ref || ': '
                        || cast(cast(per_entry.allocated_amount as decimal(38, 2)) as varchar)
                        || ' allocated to a ' || if(bank.is_reversal, 'reversal ', '')
                        || bank.credit_debit || ' entry'
                    when per_entry.allocated_amount > bank.entry_amount
                        then bank.entry_ref || ' (' || bank.currency || '): '
                        || cast(cast(per_entry.allocated_amount as decimal(38, 2)) as varchar)
                        || ' allocated > '
                        || cast(cast(bank.entry_amount as decimal(38, 2)) as varchar)
                    when per_entry.currencies > 1 or per_entry.invoice_currency <> bank.currency
                        then bank.entry_ref || ' (' || bank.currency || ')'
                        || ': allocated to invoices in another currency'
                end as failure
            from bank
            left join per_entry on bank.entry_ref = per_entry.payment_ref
            where bank.is_payment or per_entry.payment_ref is not null
        ),
        per_currency as (
            select
                currency,
                sum(amount) as payments_in,
                sum(allocated_amount) as allocated,
                sum(greatest(amount - allocated_amount, 0)) as unallocated
            from entries
            where is_payment
            group by currency
        )
        select
            (select count(failure) from entries) as failing_count,
            (
                select coalesce(list(failure order by entry_ref), [])
                from (
                    select entry_ref, failure from entries
                    where failure is not null order by entry_ref limit $max_keys
                )
            ) as failing_keys,
            (
                select coalesce(list(
                    struct_pack(currency, payments_in, allocated, unallocated)
                    order by currency
                ), [])
                from per_currency
            ) as per_currency,
            (
                select count(*) from allocations
                where not exists (
                    select 1 from bank where bank.entry_ref = allocations.payment_ref
                )
            ) as unmatched,
            (select count(*) from entries) as checked
    """
    row = con.execute(sql, {"max_keys": MAX_KEYS}).fetchone()
    failing_count, keys, currencies, unmatched, checked = row or (0, [], [], 0, 0)
    read = checked
    if scope is not None:  # every entry the whole check would read
        (checked,) = con.execute(
            """
            select count(*) from staging.stg_bank__entries as bank
            where bank.is_payment or bank.entry_ref in (
                select payment_ref from staging.stg_erp__payment_allocations
            )
            """
        ).fetchone() or (0,)
    per_currency = {
        item["currency"]: {
            "payments_in": money(item["payments_in"]),
            "allocated": money(item["allocated"]),
            "unallocated": money(item["unallocated"]),
        }
        for item in currencies
    }
    figures: dict[str, object] = {
        "per_currency": per_currency,
        "allocations_without_bank_entry": unmatched,
    }
    if scope is not None:
        figures["entries_in_scope"] = read
    summary = (
        f"{failing_count} bank entr(y/ies) break payments in = allocated + unallocated"
        f" ({len(per_currency)} currencies, {unmatched} allocation(s) awaiting their statement)"
    )
    return SqlOutcome(failing_count, tuple(keys), summary, figures, checked=int(checked))


def contacts_reconcile_to_loaded(
    con: duckdb.DuckDBPyConnection, scope: Scope | None = None
) -> SqlOutcome:
    """Contacts in int_ops_case_contacts = contacts loaded - duplicates (rows repeating a key):
    every key loaded in raw reaches the model exactly once when the version staging keeps of
    it has a case and is dated <= as_of; compared by key per kind. Always on every row
    (`scope` is ignored): the model is rebuilt whole by every build, so any row can differ."""
    as_of = as_of_date(con)
    sql = """
        with loaded as (
            select distinct 'call' as contact_kind, contact_id from raw.contacts_calls
            union all
            select distinct 'message' as contact_kind, contact_id from raw.contacts_messages
        ),
        staged as (
            select 'call' as contact_kind, contact_id, case_id, started_at as contact_at
            from staging.stg_contacts__calls
            union all
            select 'message' as contact_kind, contact_id, case_id, sent_at as contact_at
            from staging.stg_contacts__messages
        ),
        expected as (
            select loaded.contact_kind, loaded.contact_id
            from loaded
            left join staged
                on loaded.contact_kind = staged.contact_kind
                and loaded.contact_id = staged.contact_id
            where staged.contact_id is null  -- lost by staging: missing from the model too
                or (staged.case_id is not null and cast(staged.contact_at as date) <= $as_of)
        ),
        mart as (
            select contact_kind, contact_id from intermediate.int_ops_case_contacts
        )
        select 'missing from the model' as problem, * from (
            select * from expected except all select * from mart
        )
        union all
        select 'not in raw (or doubled)' as problem, * from (
            select * from mart except all select * from expected
        )
        order by contact_kind, contact_id
    """
    diffs = con.execute(sql, {"as_of": as_of}).fetchall()
    (rows_loaded, duplicates, kept) = con.execute(
        """
        select
            (select count(*) from raw.contacts_calls)
            + (select count(*) from raw.contacts_messages),
            (select count(*) - count(distinct contact_id) from raw.contacts_calls)
            + (select count(*) - count(distinct contact_id) from raw.contacts_messages),
            (select count(*) from intermediate.int_ops_case_contacts)
        """
    ).fetchone() or (0, 0, 0)
    keys = tuple(f"{kind} {key}: {problem}" for problem, kind, key in diffs[:MAX_KEYS])
    summary = (
        f"{rows_loaded} contacts loaded - {duplicates} duplicates; {kept} in the model "
        f"(<= {as_of}); {len(diffs)} differ"
    )
    figures = {"rows_loaded": rows_loaded, "duplicates": duplicates, "in_model": kept}
    return SqlOutcome(len(diffs), keys, summary, figures)
