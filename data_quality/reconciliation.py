"""Blocking reconciliations between raw tables and the models built from them (SQL checks).

Raw rows are taken as staging keeps them (latest row per key, `sqlcheck.latest_rows`), so a
difference means a model lost, doubled or mis-dated something, not that raw holds history.
"""

from __future__ import annotations

import duckdb

from data_quality.sqlcheck import MAX_KEYS, SqlOutcome, as_of_date, latest_rows, money


def ageing_reconciles_to_raw(con: duckdb.DuckDBPyConnection) -> SqlOutcome:
    """Open AR in fct_ar_ageing at as_of = invoices - dated allocations - credit notes, from raw.

    Per invoice issued <= as_of: amount - allocations paid <= as_of (bank value date, else the
    allocation date) - credit notes referencing it issued <= as_of; open when > 0. Compared to
    the cent per invoice and per currency.
    """
    as_of = as_of_date(con)
    invoices = latest_rows("erp_invoices")
    allocations = latest_rows("erp_payment_allocations")
    bank = latest_rows("bank_entries")
    expected_sql = f"""
        with invoices as ({invoices}), allocations as ({allocations}), bank as ({bank}),
        paid as (
            select allocations.invoice_id, sum(allocations.amount) as paid_amount
            from allocations
            left join bank
                on allocations.payment_ref = bank.entry_ref
            where coalesce(bank.value_date, cast(allocations.allocated_at as date)) <= $as_of
            group by allocations.invoice_id
        ),
        credited as (
            select reference_invoice_id as invoice_id, sum(amount) as credited_amount
            from invoices
            where document_type = 'credit_note' and issue_date <= $as_of
            group by reference_invoice_id
        ),
        expected as (
            select
                invoices.invoice_id,
                invoices.currency,
                invoices.amount - coalesce(paid.paid_amount, 0)
                - coalesce(credited.credited_amount, 0) as open_amount
            from invoices
            left join paid on invoices.invoice_id = paid.invoice_id
            left join credited on invoices.invoice_id = credited.invoice_id
            where invoices.document_type = 'invoice' and invoices.issue_date <= $as_of
        ),
        mart as (
            select invoice_id, currency, open_amount
            from marts.fct_ar_ageing
            where snapshot_date = $as_of
        ),
        compared as (
            select
                coalesce(expected.invoice_id, mart.invoice_id) as invoice_id,
                coalesce(expected.currency, mart.currency) as currency,
                expected.open_amount as raw_open_amount,
                mart.open_amount as mart_open_amount,
                mart.currency as mart_currency
            from (select * from expected where open_amount > 0) as expected
            full outer join mart
                on expected.invoice_id = mart.invoice_id
        )
    """
    diffs = con.execute(
        expected_sql
        + """
        select invoice_id, currency, raw_open_amount, mart_open_amount
        from compared
        where raw_open_amount is distinct from mart_open_amount
            or currency is distinct from mart_currency
        order by invoice_id
        """,
        {"as_of": as_of},
    ).fetchall()
    totals = con.execute(
        expected_sql
        + """
        select currency, sum(raw_open_amount) as raw_total, sum(mart_open_amount) as mart_total
        from compared group by currency order by currency
        """,
        {"as_of": as_of},
    ).fetchall()
    per_currency = {c: {"raw": money(r), "mart": money(m)} for c, r, m in totals}
    off = [c for c, r, m in totals if (r or 0) != (m or 0)]
    keys = tuple(
        f"{invoice} ({currency}): mart {money(mart)} vs raw {money(raw)}"
        for invoice, currency, raw, mart in diffs[:MAX_KEYS]
    )
    summary = f"open AR at {as_of}: {len(diffs)} invoice(s) differ" + (
        f"; currencies off: {', '.join(off)}" if off else "; every currency reconciles"
    )
    figures = {"as_of": as_of.isoformat(), "per_currency": per_currency}
    return SqlOutcome(len(diffs), keys, summary, figures)


def payments_reconcile_to_allocations(con: duckdb.DuckDBPyConnection) -> SqlOutcome:
    """Payments in (bank CRDT entries) = allocated + unallocated cash, per currency.

    Holds iff no entry is allocated beyond its amount and every allocation to an entry is in the
    entry's currency: the failing keys are those entries. Allocations whose payment_ref has no
    bank entry yet (statement not received) are counted apart, as the models date them by
    their allocation date. One DuckDB statement: failures, their first keys, the per-currency
    totals and the count apart come back as one row, whatever the number of entries.
    """
    sql = f"""
        with allocations as ({latest_rows("erp_payment_allocations")}),
        invoices as ({latest_rows("erp_invoices")}),
        bank as ({latest_rows("bank_entries")}),
        per_entry as (
            select
                allocations.payment_ref,
                sum(allocations.amount) as allocated_amount,
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
                bank.amount,
                coalesce(per_entry.allocated_amount, 0) as allocated_amount,
                case
                    when bank.credit_debit <> 'CRDT'
                        then bank.entry_ref || ': '
                        || cast(cast(per_entry.allocated_amount as decimal(38, 2)) as varchar)
                        || ' allocated to a ' || bank.credit_debit || ' entry'
                    when per_entry.allocated_amount > bank.amount
                        then bank.entry_ref || ' (' || bank.currency || '): '
                        || cast(cast(per_entry.allocated_amount as decimal(38, 2)) as varchar)
                        || ' allocated > '
                        || cast(cast(bank.amount as decimal(38, 2)) as varchar)
                    when per_entry.currencies > 1 or per_entry.invoice_currency <> bank.currency
                        then bank.entry_ref || ' (' || bank.currency || ')'
                        || ': allocated to invoices in another currency'
                end as failure
            from bank
            left join per_entry on bank.entry_ref = per_entry.payment_ref
            where bank.credit_debit = 'CRDT' or per_entry.payment_ref is not null
        ),
        per_currency as (
            select
                currency,
                sum(amount) as payments_in,
                sum(allocated_amount) as allocated,
                sum(greatest(amount - allocated_amount, 0)) as unallocated
            from entries
            where credit_debit = 'CRDT'
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
    summary = (
        f"{failing_count} bank entr(y/ies) break payments in = allocated + unallocated"
        f" ({len(per_currency)} currencies, {unmatched} allocation(s) awaiting their statement)"
    )
    return SqlOutcome(failing_count, tuple(keys), summary, figures, checked=int(checked))


def contacts_reconcile_to_loaded(con: duckdb.DuckDBPyConnection) -> SqlOutcome:
    """Contacts in int_ops_case_contacts = contacts loaded - duplicates (rows repeating a key),
    for the contacts the model keeps (a case, dated <= as_of); compared by key per kind."""
    as_of = as_of_date(con)
    sql = f"""
        with loaded as (
            select 'call' as contact_kind, contact_id, case_id, started_at as contact_at
            from ({latest_rows("contacts_calls")}) as calls
            union all
            select 'message' as contact_kind, contact_id, case_id, sent_at as contact_at
            from ({latest_rows("contacts_messages")}) as messages
        ),
        expected as (
            select contact_kind, contact_id from loaded
            where case_id is not null and cast(contact_at as date) <= $as_of
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
