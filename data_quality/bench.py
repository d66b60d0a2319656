"""Time the checks on synthetic rows: `python -m data_quality.bench 100000 1000000`.

Builds `raw.erp_invoices` in a temporary DuckDB file (10 % credit notes, one correction per 20
invoices in a later file), one allocation per two documents and one bank receipt per
allocation, builds their staging tables with dbt (what the SQL checks read), and prints
context setup, then per size the seconds of the invoice, allocation and bank suites and of the
SQL checks that read those tables.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from data_quality.integrity import allocations_reference_known_invoices
from data_quality.reconciliation import payments_reconcile_to_allocations
from data_quality.runner import _batch_definition, run_suite
from data_quality.sqlcheck import staging_model
from data_quality.suites import SUITES, erp_invoices_suite
from ingestion.contracts import SOURCES_BY_NAME, raw_table_ddl
from orchestration.dbt_assets import dbt_run_models

_ROWS = """
insert into raw.erp_invoices
select
    'INV-' || (i % $n_keys) as invoice_id,
    'D-' || (i % 5000) as debtor_id,
    'N-' || i as invoice_number,
    case when i % 10 = 0 then 'credit_note' else 'invoice' end as document_type,
    case when i % 10 = 0 then 'INV-' || (i + 1) end as reference_invoice_id,
    date '2025-01-01' + cast(i % 365 as integer) as issue_date,
    date '2025-01-01' + cast(i % 365 as integer) + 30 as due_date,
    cast(10 + i % 1000 as decimal(18, 2)) as amount,
    case when i % 3 = 0 then 'USD' else 'EUR' end as currency,
    timestamp '2025-01-01' + to_seconds(i) as updated_at,
    'invoices_' || (i // 50000) || '.csv' as _source_file,
    i as _source_row,
    now() as _loaded_at,
    'bench' as _batch_id,
    timestamp '2025-01-01' + to_days(cast(i // 50000 as integer)) as _extracted_at
from range($rows) as t(i)
"""


_ALLOCATIONS = """
insert into raw.erp_payment_allocations
select
    'AL-' || i as allocation_id,
    'E-' || i as payment_ref,
    'INV-' || (2 * i + 1) as invoice_id,
    cast(5 as decimal(18, 2)) as amount,
    timestamp '2025-03-01' + to_seconds(i) as allocated_at,
    'allocations_' || (i // 50000) || '.csv' as _source_file,
    i as _source_row,
    now() as _loaded_at,
    'bench' as _batch_id,
    timestamp '2025-01-01' + to_days(cast(i // 50000 as integer)) as _extracted_at
from range($rows) as t(i)
"""
_BANK = """
insert into raw.bank_entries
select
    'ST-' || (i // 1000) as statement_id,
    'DE89370400440532013000' as account_iban,
    'E-' || i as entry_ref,
    date '2025-03-01' + cast(i % 300 as integer) as booking_date,
    date '2025-03-01' + cast(i % 300 as integer) as value_date,
    cast(5 + i % 3 as decimal(18, 2)) as amount,
    invoices.currency,
    'CRDT' as credit_debit,
    false as is_reversal,
    'BOOK' as entry_status,
    null as bank_transaction_code,
    null as counterparty_name,
    null as counterparty_iban,
    null as remittance_info,
    'stmt_' || (i // 1000) || '.xml' as _source_file,
    i % 1000 as _source_row,
    now() as _loaded_at,
    'bench' as _batch_id,
    timestamp '2025-03-01' + to_days(cast(i // 1000 as integer)) as _extracted_at
from range((select count(*) from raw.erp_payment_allocations)) as t(i)
left join (
    select invoice_id, any_value(currency) as currency from raw.erp_invoices group by all
) as invoices on invoices.invoice_id = 'INV-' || (2 * i + 1)
"""


def build(path: Path, rows: int) -> None:
    """Write `rows` synthetic invoice rows to `path` (5 % of keys repeat as corrections)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        con.execute(raw_table_ddl(SOURCES_BY_NAME["erp_invoices"]))
        con.execute(_ROWS, {"rows": rows, "n_keys": rows - rows // 20})
        for name in ("erp_payment_allocations", "bank_entries"):
            con.execute(raw_table_ddl(SOURCES_BY_NAME[name]))
        con.execute(_ALLOCATIONS, {"rows": rows // 2})
        con.execute(_BANK)
    tables = ("erp_invoices", "erp_payment_allocations", "bank_entries")
    dbt_run_models(path, " ".join(staging_model(t) for t in tables))


def _time_more(path: Path) -> None:
    for table in ("raw.erp_payment_allocations", "raw.bank_entries"):
        started = time.perf_counter()
        outcome = run_suite(path, table, SUITES[table]())
        print(
            f"    {table} suite ({outcome.row_count} rows): "
            f"{time.perf_counter() - started:.2f}s, success={outcome.success}"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        for check in (allocations_reference_known_invoices, payments_reconcile_to_allocations):
            started = time.perf_counter()
            result = check(con)
            print(
                f"    {check.__name__}: {time.perf_counter() - started:.2f}s, "
                f"failing={result.failing_count}"
            )


def main(sizes: list[int]) -> None:
    started = time.perf_counter()
    _batch_definition()
    print(f"gx context setup (once per process): {time.perf_counter() - started:.3f}s")
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.duckdb"
            build(path, rows)
            started = time.perf_counter()
            outcome = run_suite(path, "raw.erp_invoices", erp_invoices_suite())
            total = time.perf_counter() - started
            print(
                f"{rows:>9} rows: read {outcome.read_seconds:.2f}s, "
                f"validate {outcome.validate_seconds:.2f}s, total {total:.2f}s, "
                f"success={outcome.success}"
            )
            _time_more(path)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
