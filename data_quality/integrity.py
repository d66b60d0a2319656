"""Referential integrity between sources and volume against the previous load (SQL checks).

The integrity checks read the staging tables (`staging.stg_*`, one row per key as staging's
`deduplicate_latest` keeps it), so they judge the rows every model reads; each failing row is
named with its landing-zone file and row (`_source_file`, `_source_row`, kept by staging)."""

from __future__ import annotations

import duckdb

from amicable.config import Volume
from data_quality.sqlcheck import (
    CASES,
    ENTRIES,
    INVOICES,
    MAX_KEYS,
    Scope,
    SqlOutcome,
    staging_model,
    touched,
)


def _orphans(con: duckdb.DuckDBPyConnection, sql: str, what: str, table: str) -> SqlOutcome:
    """The orphans `sql` finds among the rows of `table`: the share of bad rows is out of every
    row (on a daily build the rows out of the check's scope passed when it last read them)."""
    rows = con.execute(sql).fetchall()
    (total,) = con.execute(f"select count(*) from {table}").fetchone() or (0,)
    keys = tuple(f"{key} -> {ref} ({where})" for key, ref, where in rows[:MAX_KEYS])
    return SqlOutcome(
        failing_count=len(rows),
        failing_keys=keys,
        summary=f"{len(rows)} of {total} {what}",
        figures={"checked": total, "orphans": len(rows)},
        checked=int(total),
    )


def allocations_reference_known_invoices(
    con: duckdb.DuckDBPyConnection, scope: Scope | None = None
) -> SqlOutcome:
    """Every allocation (staging.stg_erp__payment_allocations) names an invoice of
    staging.stg_erp__invoices. In a scope: the allocations in it or naming an invoice in it
    (a new version of an invoice can make it a credit note)."""
    sql = f"""
        select
            allocations.allocation_id,
            allocations.invoice_id,
            allocations._source_file || ':' || allocations._source_row as location
        from staging.stg_erp__payment_allocations as allocations
        left join staging.stg_erp__invoices as invoices
            on allocations.invoice_id = invoices.invoice_id
            and invoices.document_type = 'invoice'
        where invoices.invoice_id is null
            and {touched(scope, "allocations", INVOICES)}
        order by allocations.allocation_id
    """
    return _orphans(
        con,
        sql,
        "allocations name no known invoice",
        "staging.stg_erp__payment_allocations",
    )


def allocations_paid_on_or_after_issue(
    con: duckdb.DuckDBPyConnection, scope: Scope | None = None
) -> SqlOutcome:
    """Every allocation's payment date (its bank entry's value date, else the allocation's own
    date, DESIGN.md §4) is on or after the issue date of the invoice it pays: paid ≥ issued.
    In a scope: the allocations in it or naming an invoice or a bank entry in it."""
    sql = f"""
        select
            allocations.allocation_id,
            allocations.invoice_id,
            'paid ' || coalesce(entries.value_date, cast(allocations.allocated_at as date))
            || ' before issue ' || invoices.issue_date || ', '
            || allocations._source_file || ':' || allocations._source_row as location
        from staging.stg_erp__payment_allocations as allocations
        inner join staging.stg_erp__invoices as invoices
            on allocations.invoice_id = invoices.invoice_id
        left join staging.stg_bank__entries as entries
            on allocations.payment_ref = entries.entry_ref
        where coalesce(entries.value_date, cast(allocations.allocated_at as date))
            < invoices.issue_date
            and {touched(scope, "allocations", INVOICES, ENTRIES)}
        order by allocations.allocation_id
    """
    return _orphans(
        con,
        sql,
        "allocations are paid before their invoice was issued",
        "staging.stg_erp__payment_allocations",
    )


def contacts_reference_known_cases(table: str):  # noqa: ANN201 - a check function
    """Every contact of raw table `table`, as staging keeps it, names a case of
    staging.stg_cases__cases. In a scope: the contacts in it or naming a case in it."""
    contacts = f"staging.{staging_model(table)}"

    def run(con: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> SqlOutcome:
        sql = f"""
            select
                contacts.contact_id,
                coalesce(contacts.case_id, '<null>') as case_id,
                contacts._source_file || ':' || contacts._source_row as location
            from {contacts} as contacts
            left join staging.stg_cases__cases as cases
                on contacts.case_id = cases.case_id
            where cases.case_id is null
                and {touched(scope, "contacts", CASES)}
            order by contacts.contact_id
        """
        return _orphans(
            con,
            sql,
            f"{table} rows name no known case",
            contacts,
        )

    run.__name__ = f"{table}_reference_known_cases"
    return run


def volume_vs_previous_load(
    con: duckdb.DuckDBPyConnection, volume: Volume
) -> dict[str, SqlOutcome]:
    """Per source table: rows loaded by the latest batch vs the previous batch (raw._loads).

    A batch is one ingestion run that logged at least one file (files already loaded are not
    logged). Fails when latest < min_ratio x previous or > max_ratio x previous, with the
    source's bounds from the `quality.volume` configuration (`volume.bounds(table)`).
    """
    rows = con.execute(
        """
        with batches as (
            select
                source_table,
                _batch_id as batch_id,
                min(_loaded_at) as loaded_at,
                sum(rows_loaded) as rows_loaded,
                count(*) as files
            from raw._loads
            group by source_table, _batch_id
        ),
        ranked as (
            select
                *,
                row_number() over (
                    partition by source_table order by loaded_at desc, batch_id desc
                ) as recency
            from batches
        )
        select
            latest.source_table,
            latest.batch_id,
            latest.rows_loaded,
            latest.files,
            previous.batch_id as previous_batch_id,
            previous.rows_loaded as previous_rows_loaded
        from ranked as latest
        left join ranked as previous
            on latest.source_table = previous.source_table and previous.recency = 2
        where latest.recency = 1
        """
    ).fetchall()
    outcomes: dict[str, SqlOutcome] = {}
    for table, batch, latest, files, previous_batch, previous in rows:
        bounds = volume.bounds(table)
        figures = {
            "latest_batch": batch,
            "latest_rows": int(latest),
            "latest_files": int(files),
            "previous_batch": previous_batch,
            "previous_rows": None if previous is None else int(previous),
            "min_ratio": bounds.min_ratio,
            "max_ratio": bounds.max_ratio,
        }
        if previous is None:
            outcomes[table] = SqlOutcome(0, (), f"first load of {table}: {latest} rows", figures)
            continue
        low, high = previous * bounds.min_ratio, previous * bounds.max_ratio
        out = not (low <= latest <= high)
        summary = (
            f"{table}: latest load {latest} rows vs previous {previous} (bounds {low:g}..{high:g})"
        )
        keys = (f"{batch}: {latest} rows vs {previous} in {previous_batch}",) if out else ()
        outcomes[table] = SqlOutcome(int(out), keys, summary, figures)
    return outcomes
