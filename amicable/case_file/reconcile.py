"""Reconcile a case file to the source rows: counts and amounts per record kind and currency.

The source side is recomputed from the source rows as staging keeps them (`staging.stg_*`,
the latest version per key: the one rule of dbt's `deduplicate_latest`), with the case file's
own rule: the case's events, calls and messages up to as_of; the debtor's invoices open at the
start of the opening date or issued while the case was open; credit notes on them and payments
to them in the case's ledger window (dim_cases); the bank entries of those payments. Every record is
compared by source table and id (amount, currency, file and row), so a missing, extra or altered
row is named. Rows quarantined at ingestion that name the case (or its debtor, or one of its
invoices) are counted apart: they never reach the file, by design.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboards.postgres import Connection  # PostgreSQL's translates these statements

LINE_COLUMNS: tuple[str, ...] = (
    "record_kind", "source_table", "currency", "file_count", "source_count", "file_amount",
    "source_amount", "ok",
)  # fmt: skip
KIND_ORDER = (
    "case", "case_event", "call", "message", "invoice", "credit_note", "payment_allocation",
    "bank_entry",
)  # fmt: skip
# raw table -> the field by which a quarantined row of it names the case, its debtor or invoice
QUARANTINE_KEYS = {
    "cases_cases": "case_id",
    "cases_case_events": "case_id",
    "contacts_calls": "case_id",
    "contacts_messages": "case_id",
    "erp_invoices": "debtor_id",
    "erp_payment_allocations": "invoice_id",
}

_IN_WINDOW = "{col} >= $start and ($end is null or {col} < $end) and {col} <= $as_of"
# Each staging table is read through a filter on the column it is stored by (the `order by` of
# its stg_* model: case_id, debtor_id, invoice_id, entry_ref), so DuckDB skips the row groups of
# every other case by their min/max instead of scanning the history. The debtor's invoice ids
# (`_DEBTOR_INVOICES_SQL`) and their allocations' payment references (`_PAYMENT_REFS_SQL`) come
# first and reach `_SOURCE_SQL` as the constant lists $invoices and $payment_refs; DuckDB checks
# such a list only after it reads a row group, so those reads name the columns they need, and a
# range (the first and last invoice id) narrows the reads by invoice first.
_DEBTOR_INVOICES_SQL = """
select invoice_id from staging.stg_erp__invoices
where debtor_id = $debtor and document_type = 'invoice'
order by invoice_id
"""
_PAYMENT_REFS_SQL = """
select distinct payment_ref from staging.stg_erp__payment_allocations
where
    invoice_id between $first_invoice and $last_invoice
    and list_contains($invoices::varchar[], invoice_id)
    and payment_ref is not null
order by payment_ref
"""
_SOURCE_SQL = f"""
with
debtor_invoices as materialized (
    select invoice_id, issue_date, document_amount, currency, _source_file, _source_row
    from staging.stg_erp__invoices
    where debtor_id = $debtor and document_type = 'invoice'
),
credit_notes as materialized (
    select
        invoice_id, reference_invoice_id, issue_date, document_amount, currency, _source_file,
        _source_row
    from staging.stg_erp__invoices
    where
        document_type = 'credit_note'
        and reference_invoice_id between $first_invoice and $last_invoice
        and list_contains($invoices::varchar[], reference_invoice_id)
),
allocations as materialized (
    select
        allocation_id, payment_ref, invoice_id, allocated_amount, allocated_at, _source_file,
        _source_row
    from staging.stg_erp__payment_allocations
    where
        invoice_id between $first_invoice and $last_invoice
        and list_contains($invoices::varchar[], invoice_id)
),
bank as materialized (
    select entry_ref, value_date, entry_amount, currency, _source_file, _source_row
    from staging.stg_bank__entries
    where list_contains($payment_refs::varchar[], entry_ref)
),
debtor_allocations as materialized (
    select allocations.*, coalesce(bank.value_date, cast(allocations.allocated_at as date))
        as payment_date
    from allocations left join bank on allocations.payment_ref = bank.entry_ref
),
paid_before as (
    select invoice_id, sum(allocated_amount) as paid from debtor_allocations
    where payment_date < $start
    group by 1
),
credited_before as (
    select reference_invoice_id as invoice_id, sum(document_amount) as credited
    from credit_notes
    where issue_date < $start
    group by 1
),
case_invoices as (
    select debtor_invoices.invoice_id from debtor_invoices
    left join paid_before on debtor_invoices.invoice_id = paid_before.invoice_id
    left join credited_before on debtor_invoices.invoice_id = credited_before.invoice_id
    where debtor_invoices.issue_date < $start and debtor_invoices.document_amount
        - coalesce(paid_before.paid, 0) - coalesce(credited_before.credited, 0) > 0
    union
    select invoice_id from debtor_invoices
    where {_IN_WINDOW.format(col="issue_date")} and issue_date <= $issued_to
),
case_allocations as (
    select debtor_allocations.*, debtor_invoices.currency from debtor_allocations
    inner join debtor_invoices on debtor_allocations.invoice_id = debtor_invoices.invoice_id
    where debtor_allocations.invoice_id in (select invoice_id from case_invoices)
        and {_IN_WINDOW.format(col="debtor_allocations.payment_date")}
)
select 'case', 'cases_cases', case_id, placed_amount, currency, _source_file, _source_row
from staging.stg_cases__cases where case_id = $case
union all
select 'case_event', 'cases_case_events', event_id, null, null, _source_file, _source_row
from staging.stg_cases__case_events
where case_id = $case and cast(occurred_at as date) <= $as_of
union all
select 'call', 'contacts_calls', contact_id, null, null, _source_file, _source_row
from staging.stg_contacts__calls where case_id = $case and cast(started_at as date) <= $as_of
union all
select 'message', 'contacts_messages', contact_id, null, null, _source_file, _source_row
from staging.stg_contacts__messages where case_id = $case and cast(sent_at as date) <= $as_of
union all
select 'invoice', 'erp_invoices', invoice_id, document_amount, currency, _source_file,
    _source_row
from debtor_invoices where invoice_id in (select invoice_id from case_invoices)
union all
select 'credit_note', 'erp_invoices', invoice_id, document_amount, currency, _source_file,
    _source_row
from credit_notes
where reference_invoice_id in (select invoice_id from case_invoices)
    and {_IN_WINDOW.format(col="issue_date")}
union all
select 'payment_allocation', 'erp_payment_allocations', allocation_id, allocated_amount,
    currency, _source_file, _source_row
from case_allocations
union all
select 'bank_entry', 'bank_entries', entry_ref, entry_amount, currency, _source_file,
    _source_row
from bank where entry_ref in (select payment_ref from case_allocations)
"""


@dataclass(frozen=True)
class Reconciliation:
    """`lines`: one row per record kind and currency (LINE_COLUMNS): counts and amounts in the
    file and in the sources, and whether they agree. `problems`: one sentence per record that
    differs. `quarantined`: one sentence per quarantined row naming the case."""

    lines: pd.DataFrame
    problems: tuple[str, ...]
    quarantined: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lines["ok"].all())

    @property
    def summary(self) -> str:
        if self.ok:
            return "the case file reconciles to the source rows (counts and amounts)"
        return (
            f"the case file does NOT reconcile to the source rows: {len(self.problems)} "
            f"record(s) differ; first: {self.problems[0]}"
            if self.problems
            else "the case file does NOT reconcile to the source rows (see the totals)"
        )


def reconcile(con: Connection, header: dict[str, Any], records: pd.DataFrame) -> Reconciliation:
    """Compare `records` (the case's rows of marts.fct_case_file) with the source rows."""
    invoices = _column(con, _DEBTOR_INVOICES_SQL, {"debtor": header["debtor_id"]})
    narrowed = {
        "invoices": invoices,
        "first_invoice": invoices[0] if invoices else None,
        "last_invoice": invoices[-1] if invoices else None,
    }
    params = {
        "case": header["case_id"],
        "debtor": header["debtor_id"],
        **narrowed,
        "payment_refs": _column(con, _PAYMENT_REFS_SQL, narrowed),
        "start": header["ledger_window_start_date"],
        "end": header["ledger_window_end_date"],
        "issued_to": header["documents_issued_to_date"],
        "as_of": header["as_of_date"],
    }
    source = {
        (table, key): (kind, amount, currency, file, row)
        for kind, table, key, amount, currency, file, row in con.execute(
            _SOURCE_SQL, params
        ).fetchall()
    }
    in_file = {
        (r.source_table, r.source_id): tuple(
            None if pd.isna(v) else v
            for v in (r.record_kind, r.amount, r.currency, r.source_file, r.source_row)
        )
        for r in records.itertuples(index=False)
    }
    problems = _problems(in_file, source)
    quarantined = _quarantined(con, header, source)
    lines = _lines(in_file, source, problems)
    return Reconciliation(lines, tuple(p for _, p in problems), quarantined)


def _column(con: Connection, sql: str, params: dict) -> list[str]:
    return [value for (value,) in con.execute(sql, params).fetchall()]


def _problems(in_file: dict, source: dict) -> list[tuple[str, str]]:
    """(record kind, sentence) per record missing, extra or different."""
    found: list[tuple[str, str]] = []
    for key in sorted(in_file.keys() | source.keys()):
        table, record_id = key
        mine, theirs = in_file.get(key), source.get(key)
        if theirs is None:
            found.append((mine[0], f"{table} {record_id}: in the case file, not in the sources"))
        elif mine is None:
            where = f"{theirs[3]} row {theirs[4]}"
            found.append(
                (theirs[0], f"{table} {record_id}: in the sources ({where}), not in the case file")
            )
        elif mine[1:3] != theirs[1:3]:
            found.append(
                (
                    theirs[0],
                    f"{table} {record_id}: {_money(mine[1], mine[2])} in the case file, "
                    f"{_money(theirs[1], theirs[2])} in the sources ({theirs[3]} row {theirs[4]})",
                )
            )
        elif mine[3:] != theirs[3:]:
            found.append(
                (
                    theirs[0],
                    f"{table} {record_id}: the case file cites {mine[3]} row {mine[4]}, "
                    f"the sources hold it at {theirs[3]} row {theirs[4]}",
                )
            )
    return found


def _lines(in_file: dict, source: dict, problems: list[tuple[str, str]]) -> pd.DataFrame:
    totals: dict[tuple[str, str, str], list] = {}
    for side, rows in ((0, in_file), (1, source)):
        for (table, _), (kind, amount, currency, _, _) in rows.items():
            line = totals.setdefault((kind, table, currency or ""), [0, 0, None, None])
            line[side] += 1
            if amount is not None:
                line[2 + side] = (line[2 + side] or Decimal(0)) + amount
    off = {kind for kind, _ in problems}
    rows = [
        (kind, table, currency, n_file, n_source, a_file, a_source,
         n_file == n_source and a_file == a_source and kind not in off)
        for (kind, table, currency), (n_file, n_source, a_file, a_source) in totals.items()
    ]  # fmt: skip
    rows.sort(key=lambda r: (KIND_ORDER.index(r[0]), r[2]))
    return pd.DataFrame.from_records(rows, columns=LINE_COLUMNS, coerce_float=False)


def _quarantined(con: Connection, header: dict[str, Any], source: dict) -> tuple[str, ...]:
    """Quarantined rows naming the case (case tables), its debtor (invoices) or one of its
    invoices (allocations), as a JSON field or a field of a raw CSV line."""
    invoices = sorted(key for (_, key), v in source.items() if v[0] == "invoice")
    wanted = {
        table: [header["debtor_id"]] if field == "debtor_id" else [header["case_id"]]
        for table, field in QUARANTINE_KEYS.items()
    } | {"erp_payment_allocations": invoices}
    # The warehouse keeps only the records holding one of the values as text (cheap on a large
    # quarantine); `_names` then checks the field itself.
    rows = con.execute(
        """
        select source_table, source_file, source_row, reason, record
        from raw.quarantine
        semi join (select unnest($values) as value) as wanted
            on contains(quarantine.record, wanted.value)
        where source_table in (select unnest($tables))
        order by source_table, source_file, source_row
        """,
        {
            "tables": list(QUARANTINE_KEYS),
            "values": sorted({v for vs in wanted.values() for v in vs}),
        },
    ).fetchall()
    return tuple(
        f"{table}: {file} row {row} quarantined ({reason})"
        for table, file, row, reason, record in rows
        if _names(record or "", QUARANTINE_KEYS[table], wanted[table])
    )


def _names(record: str, field: str, values: list[str]) -> bool:
    try:
        parsed = json.loads(record)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed.get(field) in values
    return any(value in record.split(",") for value in values)


def _money(amount: Decimal | None, currency: str | None) -> str:
    return "no amount" if amount is None else f"{amount:.2f} {currency or ''}".strip()
