"""Data quality in proportion (data_quality/policy.py): a row-level defect is flagged with its
keys and the build publishes every figure it can still compute; a check blocks publication only
when the figures as a whole would be wrong, and then the dashboard keeps the last good build.
Every check runs and is recorded in the same build either way."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import yaml

from amicable.cli import main
from amicable.settings import DEFAULT_CONFIG
from ingestion.contracts import SOURCES_BY_NAME
from sample_data import generate

AS_OF = date(2026, 11, 20)
LATE_FILE = "2026-11-20T2330"  # extracted after every file the generator writes
FX_RATE_TEST = (
    "int_finance_credit_sales_has_fx_rate_for_every_document",
    "intermediate/int_finance_credit_sales",
)


def _build(landing: Path, warehouse: Path, *extra: str) -> int:
    args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    return main([*args, "--as-of", AS_OF.isoformat(), *extra])


def _plant_unknown_supervisor(landing: Path) -> None:
    """An agent whose supervisor is not a dialer agent: common in real exports."""
    agent = {
        "agent_id": "AG-NEW",
        "name": "New Agent",
        "team": "team_europe",
        "supervisor_id": "SUP-OUTSIDE",
        "active_from": "2026-11-01",
        "active_to": None,
    }
    (landing / "cases" / f"agents_{LATE_FILE}.jsonl").write_text(json.dumps(agent) + "\n")


def _plant_chf_invoice(landing: Path) -> str:
    """An invoice in a currency with no FX rate, to a known customer; returns its debtor."""
    header = ",".join(SOURCES_BY_NAME["erp_invoices"].columns)
    invoices = sorted((landing / "erp").glob("invoices_*.csv"))[0]
    debtor = invoices.read_text().splitlines()[1].split(",")[1]
    row = f"INV-CHF,{debtor},CHF-1,invoice,,2026-11-01,2026-12-01,100.00,CHF,2026-11-01T08:00:00Z"
    (landing / "erp" / f"invoices_{LATE_FILE}.csv").write_text(f"{header}\n{row}\n")
    return debtor


def _plant_tie(landing: Path) -> None:
    """One invoice twice in one file with the same updated_at (issue 20, item 1): it used to
    block every later build, and raw is append-only, so nothing could clear it. Staging keeps
    the later row (its documented order); the raw suite warns, naming the key."""
    header = ",".join(SOURCES_BY_NAME["erp_invoices"].columns)
    invoices = sorted((landing / "erp").glob("invoices_*.csv"))[0]
    debtor = invoices.read_text().splitlines()[1].split(",")[1]
    row = f"INV-TIE,{debtor},TIE-1,invoice,,2026-11-01,2026-12-01,{{}},EUR,2026-11-01T08:00:00Z"
    (landing / "erp" / "invoices_2026-11-20T0300.csv").write_text(
        "\n".join([header, row.format("100.00"), row.format("250.00")]) + "\n"
    )


def _checks(warehouse: Path) -> dict[tuple[str, str], tuple[str, list[str]]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_name, asset, status, failing_keys from quality.check_results"
            " where run_id = (select run_id from quality.check_results"
            " order by evaluated_at desc limit 1)"
        ).fetchall()
    return {(name, asset): (status, json.loads(keys)) for name, asset, status, keys in rows}


def test_row_defects_are_flagged_in_one_build_and_every_figure_is_published(
    tmp_path: Path, capsys
) -> None:
    """The planted quality defects (orphan allocation, over-allocation, a call on an unknown
    case, cash before its invoice), an unknown supervisor, an invoice twice in one file and an
    invoice without an FX rate:
    all recorded with their keys in one build, which exits 0 and publishes every mart; the
    figure the missing rate feeds is null, the others are computed."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate_args = ["generate", "--size", "tiny", "--seed", "3", "--out", str(landing)]
    assert main([*generate_args, "--as-of", AS_OF.isoformat(), "--quality-defects"]) == 0
    labels = [
        json.loads(line)
        for line in (landing / "_labels" / "quality_defects.jsonl").read_text().splitlines()
    ]
    _plant_unknown_supervisor(landing)
    debtor = _plant_chf_invoice(landing)
    _plant_tie(landing)

    status = _build(landing, warehouse)

    captured = capsys.readouterr()
    out = captured.out
    assert status == 0, out
    assert "build succeeded and published" in out
    progress = captured.err.splitlines()
    assert any(line.startswith("[") and "ingested erp_invoices:" in line for line in progress)
    assert any("dbt model 1 of " in line for line in progress), "a line per step as it goes"
    checks = _checks(warehouse)
    for label in labels:
        found, keys = checks[(label["check"], label["asset"])]
        assert found == "warn", label
        assert any(label["key"] in key for key in keys), (label, keys)
        assert label["key"] in out, "the terminal names the flagged row"
    supervisor = [
        found for (name, _), found in checks.items() if "stg_cases__agents_supervisor_id" in name
    ]
    assert supervisor == [("warn", ["from_field=SUP-OUTSIDE"])], "with the failing key"
    status, keys = checks[FX_RATE_TEST]
    assert status == "warn" and any("document_id=INV-CHF" in key for key in keys), keys
    assert checks[("raw_erp_invoices_suite", "raw/erp_invoices")] == (
        "warn",
        [
            "INV-TIE (erp/invoices_2026-11-20T0300.csv:2)",
            "INV-TIE (erp/invoices_2026-11-20T0300.csv:3)",
        ],
    )
    assert not [key for key, (s, _) in checks.items() if s in ("fail", "skipped")]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tie = con.execute(
            "select document_amount from staging.stg_erp__invoices where invoice_id = 'INV-TIE'"
        ).fetchall()
        marts = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        segment = con.execute(
            "select segment from staging.stg_erp__customers where debtor_id = ?", [debtor]
        ).fetchone()[0]
        november = con.execute(
            "select segment, credit_sales_rc from marts.fct_dso"
            " where month = date '2026-11-01' order by segment"
        ).fetchall()
        october = con.execute(
            "select count(*), count(credit_sales_rc) from marts.fct_dso"
            " where month = date '2026-10-01'"
        ).fetchone()
        promises = con.execute("select count(*) from marts.fct_promises").fetchone()[0]
    assert {"fct_ar_ageing", "fct_dso", "fct_promises", "fct_agent_daily"} <= marts
    assert dict(november)[segment] is None and dict(november)["all"] is None, november
    assert [s for s, sales in november if sales is not None], "other segments keep their sales"
    assert october[0] > 0 and october[0] == october[1], "months without the CHF invoice"
    assert promises > 0
    assert tie == [(Decimal("250.00"),)], "the later row of the file wins"


def test_a_blocking_failure_keeps_the_last_good_build_and_still_runs_every_check(
    tmp_path: Path, capsys
) -> None:
    """With `max_failing_row_share: 0`, one orphan allocation blocks publication: the build
    exits 1 and names it with its key, the published warehouse stays the previous build, and
    the rejected build (kept beside it) holds every check of the run, the unrelated missing
    FX rate (a row-level dbt test, blocking too at this share, saying why) and the dbt tests
    downstream included."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    generate(landing, size="tiny", seed=3, as_of=AS_OF)
    config_dir = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG.parent, config_dir)
    config = yaml.safe_load((config_dir / DEFAULT_CONFIG.name).read_text())
    config["quality"]["max_failing_row_share"] = 0
    (config_dir / DEFAULT_CONFIG.name).write_text(yaml.safe_dump(config))
    strict = ["--config", str(config_dir / DEFAULT_CONFIG.name)]
    assert _build(landing, warehouse, *strict) == 0
    published_runs = {k for k in _checks(warehouse)}
    header = ",".join(SOURCES_BY_NAME["erp_payment_allocations"].columns)
    orphan = "AL-ORPHAN,NO-SUCH-ENTRY,INV-NOT-THERE,10.00,2026-11-19T12:00:00Z"
    (landing / "erp" / f"payment_allocations_{LATE_FILE}.csv").write_text(f"{header}\n{orphan}\n")
    _plant_chf_invoice(landing)
    capsys.readouterr()

    status = _build(landing, warehouse, *strict)

    out = capsys.readouterr().out
    assert status == 1
    assert "build NOT PUBLISHED (a check blocks publication)" in out
    blocking = [line for line in out.splitlines() if line.startswith("  BLOCKS ")]
    orphans = [line for line in blocking if "allocations_reference_known_invoices" in line]
    assert len(orphans) == 1 and "AL-ORPHAN" in orphans[0], blocking
    with duckdb.connect(str(warehouse), read_only=True) as con:
        live_orphans = con.execute(
            "select count(*) from raw.erp_payment_allocations where allocation_id = 'AL-ORPHAN'"
        ).fetchone()
    assert live_orphans == (0,), "the published warehouse is the previous build"
    assert set(_checks(warehouse)) == published_runs
    rejected = warehouse.with_name(warehouse.name + ".rejected")
    checks = _checks(rejected)
    assert checks[("allocations_reference_known_invoices", "raw/erp_payment_allocations")][0] == (
        "fail"
    )
    # an unrelated defect of the same files is reported in the same build; a row-level dbt
    # test applies the same share as the SQL checks: with a share of 0 it blocks too
    assert checks[FX_RATE_TEST][0] == "fail"
    fx_lines = [line for line in blocking if "{} on {}:".format(*FX_RATE_TEST) in line]
    assert len(fx_lines) == 1 and "blocks above 0 %" in fx_lines[0], blocking
    assert not [key for key, (s, _) in checks.items() if s == "skipped"], "every check ran"
    dbt_marts = [asset for (_, asset) in checks if asset.startswith("marts/")]
    assert dbt_marts, "the dbt tests on marts ran although a raw check blocks"

    assert _build(landing, warehouse) == 0, "with the default share the build publishes"
    assert not rejected.exists(), "a published build clears the rejected one"
