"""A failed blocking check stops what depends on it, and the CLI says so with exit status 1."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from amicable.cli import main
from ingestion.contracts import SOURCES_BY_NAME
from sample_data import generate

AS_OF = date(2026, 11, 20)


def test_a_tie_between_two_rows_of_one_invoice_stops_the_dbt_models(tmp_path: Path, capsys) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, size="tiny", seed=3, as_of=AS_OF)
    header = ",".join(SOURCES_BY_NAME["erp_invoices"].columns)
    row = "INV-TIE,D-TIE,TIE-1,invoice,,2026-11-01,2026-12-01,{amount},EUR,2026-11-01T08:00:00Z"
    # Both rows pass the row contract, but which one is right cannot be decided: a blocking
    # data-quality failure, since the ledger would otherwise pick one at random.
    (landing / "erp" / "invoices_2026-11-20T0300.csv").write_text(
        "\n".join([header, row.format(amount="100.00"), row.format(amount="250.00")]) + "\n"
    )

    status = main(
        ["build", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "2026-11-20"]
    )

    out = capsys.readouterr().out
    assert status == 1
    assert "raw_erp_invoices_suite" in out and "FAIL" in out
    assert "build FAILED" in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        assert marts == [(0,)], "no mart is built on top of a failed blocking check"
        loaded = con.execute(
            "select count(*) from raw.erp_invoices where invoice_id = 'INV-TIE'"
        ).fetchall()
        assert loaded == [(2,)], "the rows stay in raw for the investigation"
