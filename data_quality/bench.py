"""Time the invoice suite on synthetic rows: `python -m data_quality.bench 100000 1000000`.

Builds `raw.erp_invoices` in a temporary DuckDB file (10 % credit notes, one correction per 20
invoices in a later file) and prints context setup, read and validate seconds per size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import duckdb

from data_quality.runner import _batch_definition, run_suite
from data_quality.suites import erp_invoices_suite
from ingestion.contracts import SOURCES_BY_NAME, raw_table_ddl

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
    'bench' as _batch_id
from range($rows) as t(i)
"""


def build(path: Path, rows: int) -> None:
    """Write `rows` synthetic invoice rows to `path` (5 % of keys repeat as corrections)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        con.execute(raw_table_ddl(SOURCES_BY_NAME["erp_invoices"]))
        con.execute(_ROWS, {"rows": rows, "n_keys": rows - rows // 20})


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


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
