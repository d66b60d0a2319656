"""Exports of case files: the log beside the warehouse, the reconciliation against altered
sources (the source rows as staging keeps them), and the `amicable case-file` command. Each
test works on its own copy of the sample warehouse (the export log goes beside the warehouse
it was made from)."""

from __future__ import annotations

import getpass
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from amicable.case_file import export_case_file, list_exports
from amicable.cli import main
from amicable.settings import case_file_export_log
from tests.compliance.case_files import case_file_of, copy_warehouse
from tests.conftest import SampleBuild


@pytest.fixture
def warehouse(sample_build: SampleBuild, tmp_path: Path) -> Path:
    return copy_warehouse(sample_build.settings.warehouse, tmp_path)


def _planted_case(sample_build: SampleBuild, rule_id: str) -> dict:
    return next(b for b in sample_build.labels("breaches") if b["rule_id"] == rule_id)


def test_each_export_is_one_log_line_with_who_when_and_the_sha256(
    sample_build: SampleBuild, warehouse: Path
) -> None:
    case_id = _planted_case(sample_build, "US-CEASE")["case_id"]
    case_file = case_file_of(warehouse, case_id)
    before = datetime.now(UTC).replace(microsecond=0)
    pdf = export_case_file(case_file, "pdf", user="auditor-1")
    csv = export_case_file(case_file, "csv", user="auditor-2", out=warehouse.parent / "x.csv")
    log = warehouse.parent / "audit" / "case_file_exports.jsonl"
    assert case_file_export_log(warehouse) == log
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["user"], x["case_id"], x["format"]) for x in lines] == [
        ("auditor-1", case_id, "pdf"),
        ("auditor-2", case_id, "csv"),
    ]
    assert lines[0]["sha256"] == hashlib.sha256(pdf.data).hexdigest()
    written = (warehouse.parent / "x.csv").read_bytes()
    assert lines[1]["sha256"] == hashlib.sha256(written).hexdigest() and csv.data == written
    for line in lines:
        exported = datetime.fromisoformat(line["exported_at"].replace("Z", "+00:00"))
        assert before <= exported <= datetime.now(UTC) + timedelta(seconds=1)
        assert line["warehouse"] == str(warehouse.resolve()) and line["as_of"] == "2026-11-20"
    assert list_exports(warehouse) == [pdf.record, csv.record]
    assert list_exports(warehouse, case_id="CS00000000") == []


def test_concurrent_exports_append_whole_lines(sample_build: SampleBuild, warehouse: Path) -> None:
    case_file = case_file_of(warehouse, _planted_case(sample_build, "FR-NO-FEES")["case_id"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: export_case_file(case_file, "csv", f"user-{n}"), range(40)))
    records = list_exports(warehouse)
    assert sorted(r.user for r in records) == sorted(f"user-{n}" for n in range(40))


def test_a_corrupt_log_line_is_named(sample_build: SampleBuild, warehouse: Path) -> None:
    log = case_file_export_log(warehouse)
    log.parent.mkdir()
    log.write_text('{"user": "x"}\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"case_file_exports.jsonl: line 1 is not an export"):
        list_exports(warehouse)


def _alter(warehouse: Path, sql: str, params: list) -> None:
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(sql, params).fetchall() != [], sql


def _alter_first(warehouse: Path, case_id: str, record_kind: str, sql: str) -> pd.Series:
    """Run `sql` (`?`: a source id) on the source row of the case's first `record_kind`
    record (in staging, which the reconciliation reads), after the build; returns that record
    as the case file holds it."""
    records = case_file_of(warehouse, case_id).records
    record = records[records["record_kind"] == record_kind].iloc[0]
    _alter(warehouse, sql, [record["source_id"]])
    return record


def test_reconciliation_names_a_source_row_removed_after_the_build(
    sample_build: SampleBuild, warehouse: Path
) -> None:
    case_id = _planted_case(sample_build, "US-CEASE")["case_id"]
    assert case_file_of(warehouse, case_id).reconciliation.ok
    sql = "delete from staging.stg_contacts__calls where contact_id = ? returning contact_id"
    call = _alter_first(warehouse, case_id, "call", sql)
    reconciliation = case_file_of(warehouse, case_id).reconciliation
    assert not reconciliation.ok
    assert reconciliation.problems == (
        f"contacts_calls {call['source_id']}: in the case file, not in the sources",
    )
    line = reconciliation.lines.set_index("record_kind").loc["call"]
    assert (line["file_count"], line["source_count"], line["ok"]) == (
        line["source_count"] + 1,
        line["source_count"],
        False,
    )
    assert reconciliation.summary.startswith("the case file does NOT reconcile")


def test_reconciliation_names_an_altered_amount_and_its_source_row(
    sample_build: SampleBuild, warehouse: Path
) -> None:
    case_id = _planted_case(sample_build, "FR-NO-FEES")["case_id"]
    sql = (
        "update staging.stg_erp__invoices set document_amount = document_amount + 1"
        " where invoice_id = ? returning document_amount"
    )
    invoice = _alter_first(warehouse, case_id, "invoice", sql)
    reconciliation = case_file_of(warehouse, case_id).reconciliation
    amount, currency = invoice["amount"], invoice["currency"]
    assert reconciliation.problems == (
        f"erp_invoices {invoice['source_id']}: {amount:.2f} {currency} in the case file, "
        f"{amount + 1:.2f} {currency} in the sources ({invoice['source_file']} row "
        f"{invoice['source_row']})",
    )
    line = reconciliation.lines.set_index(["record_kind", "currency"]).loc[("invoice", currency)]
    assert line["source_amount"] - line["file_amount"] == 1 and not line["ok"]


def test_cli_writes_the_file_logs_it_and_exits_zero(
    sample_build: SampleBuild, warehouse: Path, monkeypatch, capsys
) -> None:
    case_id = _planted_case(sample_build, "US-CEASE")["case_id"]
    monkeypatch.chdir(warehouse.parent)
    status = main(["case-file", "--case", case_id, "--warehouse", str(warehouse)])
    assert status == 0, capsys.readouterr().err
    written = warehouse.parent / f"case_file_{case_id}.pdf"
    (record,) = list_exports(warehouse)
    assert record.sha256 == hashlib.sha256(written.read_bytes()).hexdigest()
    assert (record.user, record.format, record.out) == (getpass.getuser(), "pdf", str(written))
    assert record.claimed_user is None
    assert "reconciles to the source rows" in capsys.readouterr().out


def test_cli_exits_one_when_the_case_does_not_reconcile(
    sample_build: SampleBuild, warehouse: Path, tmp_path: Path, capsys
) -> None:
    case_id = _planted_case(sample_build, "US-CEASE")["case_id"]
    sql = "delete from staging.stg_cases__case_events where case_id = ? returning event_id"
    _alter(warehouse, sql, [case_id])
    out = tmp_path / "file.csv"
    argv = ["case-file", "--case", case_id, "--warehouse", str(warehouse), "--format", "csv"]
    assert main([*argv, "--out", str(out), "--user", "ann"]) == 1
    printed = capsys.readouterr().out
    assert "does NOT reconcile" in printed
    assert f"export by {getpass.getuser()} (claims to be ann)" in printed
    (record,) = list_exports(warehouse)
    assert out.is_file() and (record.user, record.claimed_user) == (getpass.getuser(), "ann")


def test_cli_names_a_missing_case_and_a_missing_warehouse(
    warehouse: Path, tmp_path: Path, capsys
) -> None:
    assert main(["case-file", "--case", "CS404", "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"amicable: error: case 'CS404' is not in the warehouse {warehouse}")
    assert err.count("\n") == 1
    missing = tmp_path / "none.duckdb"
    assert main(["case-file", "--case", "CS404", "--warehouse", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"amicable: error: no warehouse at {missing}: run `amicable build` first\n"
    )
    assert not case_file_export_log(warehouse).exists()
