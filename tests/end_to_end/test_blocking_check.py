"""A failed blocking check stops what depends on it, and the CLI says so with exit status 1."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from amicable.cli import main
from ingestion.contracts import SOURCES_BY_NAME
from sample_data import generate

AS_OF = date(2026, 11, 20)


def test_a_tie_between_two_rows_of_one_invoice_is_a_warning_and_the_later_row_wins(
    tmp_path: Path, capsys
) -> None:
    """Issue 20, item 1: a key twice in one file used to fail a blocking check on every later
    build, and raw is append-only, so nothing in the landing zone could clear it. Staging keeps
    the later row (its documented order); the raw suite warns, naming the key."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, size="tiny", seed=3, as_of=AS_OF)
    header = ",".join(SOURCES_BY_NAME["erp_invoices"].columns)
    invoices = sorted((landing / "erp").glob("invoices_*.csv"))[0]
    debtor = invoices.read_text().splitlines()[1].split(",")[1]  # a known customer
    row = (
        f"INV-TIE,{debtor},TIE-1,invoice,,2026-11-01,2026-12-01,{{amount}},EUR,2026-11-01T08:00:00Z"
    )
    (landing / "erp" / "invoices_2026-11-20T0300.csv").write_text(
        "\n".join([header, row.format(amount="100.00"), row.format(amount="250.00")]) + "\n"
    )

    status = main(
        ["build", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "2026-11-20"]
    )

    out = capsys.readouterr().out
    assert status == 0, out[-2000:]
    assert "build FAILED" not in out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = con.execute(
            "select document_amount from staging.stg_erp__invoices where invoice_id = 'INV-TIE'"
        ).fetchall()
        assert kept == [(Decimal("250.00"),)]
        warned = con.execute(
            "select status, failing_keys from quality.check_results"
            " where check_name = 'raw_erp_invoices_suite'"
        ).fetchall()
        assert [status for status, _ in warned] == ["warn"]
        assert json.loads(warned[0][1]) == [
            "INV-TIE (erp/invoices_2026-11-20T0300.csv:2)",
            "INV-TIE (erp/invoices_2026-11-20T0300.csv:3)",
        ]


def test_a_missing_fx_rate_fails_dbt_records_it_and_skips_what_depends_on_it(
    tmp_path: Path, capsys
) -> None:
    """An invoice in a currency with no rate: dbt's error-severity rate tests fail, the models
    downstream of them are skipped, every dbt test and every check that did not run is recorded
    in quality.check_results, and the terminal gets one line per failure, no traceback."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, size="tiny", seed=3, as_of=AS_OF)
    header = ",".join(SOURCES_BY_NAME["erp_invoices"].columns)
    invoices = sorted((landing / "erp").glob("invoices_*.csv"))[0]
    debtor = invoices.read_text().splitlines()[1].split(",")[1]  # a known customer
    row = f"INV-CHF,{debtor},CHF-1,invoice,,2026-11-01,2026-12-01,100.00,CHF,2026-11-01T08:00:00Z"
    (landing / "erp" / "invoices_2026-11-20T0300.csv").write_text(f"{header}\n{row}\n")

    status = main(
        ["build", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "2026-11-20"]
    )

    captured = capsys.readouterr()
    assert status == 1
    assert "Traceback" not in captured.out + captured.err
    assert "Stack Trace" not in captured.out + captured.err
    failure = [line for line in captured.out.splitlines() if "dbt build failed:" in line]
    assert len(failure) == 1
    assert "int_finance_credit_sales_has_fx_rate_for_every_document" in failure[0]
    artifacts = tmp_path / "logs" / "dbt"
    assert failure[0].endswith(f"dbt's artifacts and log: {artifacts}")
    assert (artifacts / "run_results.json").is_file(), "kept for the investigation"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failed = con.execute(
            "select check_name, asset, failing_count from quality.check_results "
            "where status = 'fail' order by 1"
        ).fetchall()
        assert (
            "int_finance_credit_sales_has_fx_rate_for_every_document",
            "intermediate/int_finance_credit_sales",
            1,
        ) in failed
        skipped = {
            name
            for (name,) in con.execute(
                "select check_name from quality.check_results where status = 'skipped'"
            ).fetchall()
        }
        assert "marts_fct_dso_suite" in skipped, "the DSO suite never ran: its mart was skipped"
        passed_dbt = con.execute(
            "select count(*) from quality.check_results "
            "where status = 'pass' and description like 'dbt test%'"
        ).fetchone()
        assert passed_dbt and passed_dbt[0] > 50
        dso = con.execute(
            "select count(*) from information_schema.tables where table_name = 'fct_dso'"
        ).fetchone()
        assert dso == (0,), "fct_dso is downstream of the failed rate test: not built"


def test_each_planted_quality_defect_is_caught_by_the_check_meant_for_it(
    tmp_path: Path, capsys
) -> None:
    """`amicable generate --quality-defects`: rows that pass the contract but break a data-quality
    rule. Each labelled defect fails (or warns on) exactly its check, with its key among the
    failing keys; no other check fails; the blocking ones stop dbt."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate_args = ["generate", "--size", "tiny", "--seed", "3", "--out", str(landing)]
    assert main([*generate_args, "--as-of", "2026-11-20", "--quality-defects"]) == 0
    labels = [
        json.loads(line)
        for line in (landing / "_labels" / "quality_defects.jsonl").read_text().splitlines()
    ]

    status = main(
        ["build", "--landing", str(landing), "--warehouse", str(warehouse), "--as-of", "2026-11-20"]
    )

    assert status == 1
    assert "build FAILED" in capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_name, asset, status, failing_keys from quality.check_results"
            " where status in ('fail', 'warn')"
        ).fetchall()
        marts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()
    # The tiny sample's thin message feed is a few hours past its cadence: a freshness warning.
    caught = {
        (name, asset): (status, json.loads(keys))
        for name, asset, status, keys in rows
        if name != "freshness"
    }
    assert set(caught) == {(label["check"], label["asset"]) for label in labels}
    for label in labels:
        status, keys = caught[(label["check"], label["asset"])]
        assert status == ("fail" if label["blocking"] else "warn"), label
        assert any(label["key"] in key for key in keys), (label, keys)
    assert marts == (0,), "the blocking failures stop every model"
    assert {label["defect"] for label in labels} == {
        "orphan_allocation",
        "over_allocation",
        "contact_on_unknown_case",
        "paid_before_issue",
    }
