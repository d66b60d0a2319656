"""The data tests of the incremental staging models on a daily build read the rows of the
batches given in var `tested_batches` (macros/get_where_subquery.sql): a bad new row is
caught, a new row colliding with an untouched one too; without the var (a full refresh) every
row is read again."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.dbt_project.raw_fixture import (
    RAW_FILES,
    build_raw_warehouse,
    build_staging,
    dbt_vars,
    run_dbt,
)

UNIQUE = "unique_stg_erp__invoices_invoice_id"
NOT_NULL = "not_null_stg_erp__invoices_currency"


def _warehouse(tmp_path: Path) -> Path:
    """Staging built from the raw fixture, then broken as no correct build would leave it:
    INV-1 a second time in batch B-new (a delete+insert that failed to delete), and the
    currency of an old row (not in B-new) emptied."""
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    with duckdb.connect(str(warehouse)) as con:
        build_staging(con)
        con.execute(
            "insert into staging.stg_erp__invoices select * replace ('B-new' as _batch_id)"
            " from staging.stg_erp__invoices where invoice_id = 'INV-1'"
        )
        con.execute(
            "update staging.stg_erp__invoices set currency = null where invoice_id = 'INV-2'"
        )
    return warehouse


def _failures(tmp_path: Path, warehouse: Path, **variables: object) -> dict[str, str]:
    args = ["test", "--select", f"{UNIQUE} {NOT_NULL}"]
    args += ["--vars", dbt_vars(as_of="2026-03-31", **variables)]
    return run_dbt(args, warehouse, tmp_path / "dbt").statuses


def test_a_daily_build_tests_the_new_rows_and_their_keys(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    statuses = _failures(tmp_path, warehouse, tested_batches=["B-new"])
    # the new INV-1 collides with the untouched one: found, since a uniqueness test reads
    # every row sharing a key with a new row; the old row's empty currency is not read
    assert statuses == {UNIQUE: "fail", NOT_NULL: "pass"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select unique_field from test_failures.{UNIQUE}").fetchall() == [
            ("INV-1",)
        ]


def test_a_full_refresh_tests_every_row(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    assert _failures(tmp_path, warehouse) == {UNIQUE: "fail", NOT_NULL: "fail"}
