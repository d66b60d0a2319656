"""The auditor's case file on the tiny sample (built once by `sample_build`): its records and
verdicts against the generator's planted breaches and the rule packs, its CSV and PDF exports."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from amicable.case_file import CaseNotFound, to_csv, to_pdf
from amicable.case_file.pdf import RECORD_HEADINGS, unicode_font
from amicable.rule_packs import load_rule_packs
from amicable.settings import DEFAULT_CONFIG
from tests.compliance.case_files import (
    case_file_of,
    csv_sections,
    pdf_lines,
    pdf_page_count,
)
from tests.conftest import SampleBuild

PACK_RULES = {
    rule["id"]: rule
    for rule in load_rule_packs(DEFAULT_CONFIG.parent / "rule_packs", (2024, 2027))["rules"]
}


def _longest_case(sample_build: SampleBuild) -> str:
    rows = sample_build.query(
        "select case_id from marts.fct_case_file group by case_id order by count(*) desc, "
        "case_id limit 1"
    )
    return rows[0][0]


def test_every_planted_breach_is_judged_on_its_last_evidence_with_the_pack_parameters(
    sample_build: SampleBuild,
) -> None:
    labels = sample_build.labels("breaches")
    assert {label["rule_id"] for label in labels} >= {"US-DISPUTE", "US-CEASE", "FR-NO-FEES"}
    for label in labels:
        case_file = case_file_of(sample_build.settings.warehouse, label["case_id"])
        records = case_file.records.set_index("source_id")
        *cited, offending = label["evidence_ids"]
        judged = records.loc[offending]
        assert judged["verdict"] == "breach", label
        assert label["rule_id"] in judged["breached_rule_ids"].split(", "), label
        in_force = judged["breach_parameters"].split("; ")
        parameters = next(p for p in in_force if p.startswith(label["rule_id"] + " "))
        expected = PACK_RULES[label["rule_id"]]["params"]
        assert json.loads(parameters.removeprefix(label["rule_id"] + " ")) == expected
        for record_id in cited:
            assert label["rule_id"] in records.loc[record_id]["cited_by_rule_ids"], record_id
            assert label["rule_id"] not in str(records.loc[record_id]["breached_rule_ids"])


def test_only_the_planted_breaches_are_not_allowed(sample_build: SampleBuild) -> None:
    """Every call and message of every case file is `allowed`, except the offending contacts
    of the generator's labels; the offending events are the only other judged records."""
    planted = {(b["case_id"], b["evidence_ids"][-1]) for b in sample_build.labels("breaches")}
    judged = sample_build.query(
        "select case_id, source_id, record_kind, verdict from marts.fct_case_file "
        "where verdict is not null"
    )
    assert {(c, s) for c, s, _, v in judged if v != "allowed"} == planted
    contacts = sample_build.query(
        "select count(*) from marts.fct_case_file where record_kind in ('call', 'message')"
    )
    assert sum(1 for _, _, kind, _ in judged if kind in ("call", "message")) == contacts[0][0]


def test_the_case_file_holds_every_source_record_of_the_case_in_time_order(
    sample_build: SampleBuild,
) -> None:
    case_id = _longest_case(sample_build)
    case_file = case_file_of(sample_build.settings.warehouse, case_id)
    records = case_file.records
    assert list(records["record_seq"]) == list(range(1, len(records) + 1))
    assert records["occurred_at"].is_monotonic_increasing
    (contacts,) = sample_build.query(
        "select (select count(*) from staging.stg_contacts__calls where case_id = ?)"
        " + (select count(*) from staging.stg_contacts__messages where case_id = ?)",
        [case_id, case_id],
    )
    assert records["record_kind"].isin(["call", "message"]).sum() == contacts[0]
    assert {"case", "case_event", "invoice", "payment_allocation", "bank_entry"} <= set(
        records["record_kind"]
    )
    assert case_file.header["case_id"] == case_id
    assert case_file.provenance.warehouse == sample_build.settings.warehouse.resolve()
    assert case_file.provenance.as_of == date(2026, 11, 20)
    assert case_file.provenance.build_run_id  # the build that checked the marts
    assert case_file.reconciliation.ok, case_file.reconciliation.problems


def test_every_case_file_of_the_sample_reconciles_to_its_source_rows(
    sample_build: SampleBuild,
) -> None:
    """The reconciliation narrows the sources to the case's debtor before it sums (so a case
    file stays fast on a million invoices); every case, of every shape the generator makes,
    still agrees with the mart record for record."""
    cases = [case_id for (case_id,) in sample_build.query("select case_id from marts.dim_cases")]
    assert len(cases) > 20
    failing = {}
    for case_id in cases:
        reconciliation = case_file_of(sample_build.settings.warehouse, case_id).reconciliation
        if not reconciliation.ok:
            failing[case_id] = reconciliation.problems
    assert not failing


def test_a_missing_case_id_is_named_in_the_error(sample_build: SampleBuild) -> None:
    with pytest.raises(CaseNotFound, match=r"case 'CS99999999' is not in the warehouse .*"):
        case_file_of(sample_build.settings.warehouse, "CS99999999")


def test_the_csv_reads_back_to_the_mart_rows_and_amounts(sample_build: SampleBuild) -> None:
    case_id = _longest_case(sample_build)
    sections = csv_sections(to_csv(case_file_of(sample_build.settings.warehouse, case_id)))
    facts = {row["key"]: row["value"] for row in sections["case file"]}
    assert facts["case_id"] == case_id and facts["reconciliation"] == "passed"
    mart = sample_build.query(
        "select source_table, source_id, record_kind, amount, currency, verdict, source_file, "
        "source_row from marts.fct_case_file where case_id = ? order by record_seq",
        [case_id],
    )
    read_back = [
        (
            r["source_table"], r["source_id"], r["record_kind"],
            Decimal(r["amount"]) if r["amount"] else None, r["currency"] or None,
            r["verdict"] or None, r["source_file"], int(r["source_row"]),
        )
        for r in sections["records"]
    ]  # fmt: skip
    assert read_back == mart
    lines = {(r["record_kind"], r["currency"]): r for r in sections["reconciliation"]}
    invoiced = sum((amount for _, _, kind, amount, *_ in mart if kind == "invoice"), Decimal(0))
    currency = next(c for _, _, kind, _, c, *_ in mart if kind == "invoice")
    assert Decimal(lines[("invoice", currency)]["source_amount"]) == invoiced
    assert sections["reconciliation problems"] == []


def test_the_pdf_shows_every_record_on_numbered_pages(sample_build: SampleBuild) -> None:
    case_id = _longest_case(sample_build)
    case_file = case_file_of(sample_build.settings.warehouse, case_id)
    data = to_pdf(case_file, use_unicode_font=False)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = pdf_page_count(data)
    assert pages >= 2  # the facts, reconciliation and breaches, then 40+ records
    lines = pdf_lines(data)
    assert f"Case file {case_id}" in lines
    assert [line for line in lines if line.startswith("page ")] == [
        f"page {n} of {pages}" for n in range(1, pages + 1)
    ]
    text = "\n".join(lines)
    assert all(source_id in text for source_id in case_file.records["source_id"])
    assert text.count("BREACH ") == (case_file.records["verdict"] == "breach").sum()
    assert [h for h, _ in RECORD_HEADINGS][1] in lines
    assert case_file.provenance.build_run_id in text


def test_names_outside_latin1_print_with_either_font(sample_build: SampleBuild) -> None:
    case_file = case_file_of(sample_build.settings.warehouse, _longest_case(sample_build))
    name = "Łukasz Żółć 王芳 Дмитрий"
    renamed = dataclasses.replace(case_file, header=case_file.header | {"debtor_name": name})
    core = to_pdf(renamed, use_unicode_font=False)
    assert any(line.startswith("Lukasz Zólc ?? ???????") for line in pdf_lines(core))
    if unicode_font() is not None:
        assert to_pdf(renamed).startswith(b"%PDF-")
    facts = {r["key"]: r["value"] for r in csv_sections(to_csv(renamed))["case file"]}
    assert facts["debtor_name"] == name


def test_a_case_file_renders_the_same_bytes_every_time(sample_build: SampleBuild) -> None:
    """So an auditor can regenerate an export and compare its sha256 with the log's."""
    case_file = case_file_of(sample_build.settings.warehouse, _longest_case(sample_build))
    assert hashlib.sha256(to_pdf(case_file)).digest() == hashlib.sha256(to_pdf(case_file)).digest()
    assert to_csv(case_file) == to_csv(case_file)
