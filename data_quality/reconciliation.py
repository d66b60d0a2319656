"""Reconciliations between the sources and the models built from them (SQL checks).

Source rows are read as staging keeps them (`staging.stg_*`: the latest version per key, the
one rule of `deduplicate_latest`), so a difference means a model lost, doubled or mis-dated
something, not that raw holds history. Open AR in the ageing is reconciled to the sources, to
the cent per invoice, by the dbt test `assert_ageing_reconciles_to_sources` (blocking).
"""

from __future__ import annotations

from decimal import Decimal

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


def _listed(text: str | None, fields: int) -> list[list[str]]:
    """The items of a `string_agg` with chr(31) between items and chr(30) between an item's
    `fields` (the same SQL on DuckDB and PostgreSQL, which share no list-of-rows type)."""
    if not text:
        return []
    items = [item.split(chr(30)) for item in text.split(chr(31))]
    if any(len(item) != fields for item in items):
        raise ValueError(f"a separator (chr(30) or chr(31)) inside a listed value: {text!r}")
    return items


def payments_reconcile_to_allocations(
    con: duckdb.DuckDBPyConnection, scope: Scope | None = None
) -> SqlOutcome:
    """Payments in (bank payments: CRDT entries that are not reversals) = allocated +
    unallocated cash, per currency. An allocation to a debit or a reversal entry fails.

    Holds iff no entry is allocated beyond its amount and every allocation to an entry is in the
    entry's currency: the failing keys are those entries. Allocations whose payment_ref has no
    bank entry yet (statement not received) are counted apart, as the models date them by
    their allocation date. One statement: failures, their first keys, the per-currency totals
    and the count apart come back as one row, whatever the number of entries (the keys and
    totals as text, `_listed`, the same SQL on DuckDB and PostgreSQL).
    In a scope: the entries it can have changed (`_entries_in_scope`), their allocations and
    totals; the share of bad entries is out of every entry.
    """
    where_entry, where_payment = "", ""
    if scope is not None:
        in_scope = f"in (select ref from ({_entries_in_scope(scope)}) as in_scope)"
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
                select string_agg(failure, chr(31) order by entry_ref)
                from (
                    select entry_ref, failure from entries
                    where failure is not null order by entry_ref limit $max_keys
                ) as first_failures
            ) as failing_keys,
            (
                select string_agg(
                    currency
                    || chr(30) || cast(cast(payments_in as decimal(38, 2)) as varchar)
                    || chr(30) || cast(cast(allocated as decimal(38, 2)) as varchar)
                    || chr(30) || cast(cast(unallocated as decimal(38, 2)) as varchar),
                    chr(31) order by currency
                )
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
    failing_count, keys, currencies, unmatched, checked = row or (0, None, None, 0, 0)
    failing_count, unmatched, checked = int(failing_count), int(unmatched), int(checked)
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
        currency: {
            "payments_in": money(Decimal(payments_in)),
            "allocated": money(Decimal(allocated)),
            "unallocated": money(Decimal(unallocated)),
        }
        for currency, payments_in, allocated, unallocated in _listed(currencies, 4)
    }
    keys = [key for (key,) in _listed(keys, 1)]
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
    (`scope` is ignored): a daily build rewrites only the contacts loaded or dated since and
    removes those that left its scope; checking every key is what proves it did so right."""
    as_of = as_of_date(con)
    # One pass over the three: per key, whether raw holds it, its staging rows (and those with a
    # case dated <= as_of) and its rows in the model. Expected in the model: once when staging
    # lost the key, else as many times as staging keeps it with a case and in time.
    sql = """
        with per_key as materialized (
            select
                contact_kind,
                contact_id,
                sum(loaded) as loaded,
                sum(staged) as staged,
                sum(staged_in_time) as staged_in_time,
                sum(in_model) as in_model
            from (
                select 'call' as contact_kind, contact_id, 1 as loaded, 0 as staged,
                    0 as staged_in_time, 0 as in_model
                from raw.contacts_calls
                union all
                select 'message', contact_id, 1, 0, 0, 0 from raw.contacts_messages
                union all
                select 'call', contact_id, 0, 1,
                    case when case_id is not null and cast(started_at as date) <= $as_of
                        then 1 else 0 end,
                    0
                from staging.stg_contacts__calls
                union all
                select 'message', contact_id, 0, 1,
                    case when case_id is not null and cast(sent_at as date) <= $as_of
                        then 1 else 0 end,
                    0
                from staging.stg_contacts__messages
                union all
                select contact_kind, contact_id, 0, 0, 0, 1
                from intermediate.int_ops_case_contacts
            ) as rows_by_key
            group by contact_kind, contact_id
        ),
        compared as (
            select
                contact_kind,
                contact_id,
                in_model - case
                    when loaded = 0 then 0
                    when staged = 0 then 1  -- lost by staging: missing from the model too
                    else staged_in_time
                end as surplus
            from per_key
        ),
        totals as (
            select
                coalesce(sum(loaded), 0) as rows_loaded,
                coalesce(sum(loaded), 0) - count(*) filter (where loaded > 0) as duplicates,
                coalesce(sum(in_model), 0) as kept
            from per_key
        ),
        differing as (
            select
                case when surplus < 0 then 'missing from the model'
                    else 'not in raw (or doubled)' end as problem,
                contact_kind,
                contact_id,
                abs(surplus) as times
            from compared
            where surplus <> 0
        )
        select totals.*, differing.*
        from totals
        left join differing on true
        order by differing.contact_kind, differing.contact_id
    """
    rows = con.execute(sql, {"as_of": as_of}).fetchall()
    rows_loaded, duplicates, kept = (int(value) for value in rows[0][:3])  # PostgreSQL: numeric
    diffs = [(p, kind, key) for *_, p, kind, key, times in rows if p for _ in range(int(times))]
    keys = tuple(f"{kind} {key}: {problem}" for problem, kind, key in diffs[:MAX_KEYS])
    summary = (
        f"{rows_loaded} contacts loaded - {duplicates} duplicates; {kept} in the model "
        f"(<= {as_of}); {len(diffs)} differ"
    )
    figures = {"rows_loaded": rows_loaded, "duplicates": duplicates, "in_model": kept}
    return SqlOutcome(len(diffs), keys, summary, figures)
