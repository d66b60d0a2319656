from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ingestion.contracts import SOURCES, SOURCES_BY_NAME
from tests.sample_data.conftest import EARLY, LATE
from tests.sample_data.landing import all_rows, csv_header, files_of, labels, read_rows, violations

REQUIRED_DEFECTS = {
    ("erp_invoices", "non_numeric_amount", "amount"),
    ("erp_invoices", "unknown_currency", "currency"),
    ("erp_invoices", "bad_date_format", "issue_date"),
    ("erp_invoices", "missing_required", "debtor_id"),
    ("erp_invoices", "bad_enum", "document_type"),
    ("erp_payment_allocations", "non_numeric_amount", "amount"),
    ("erp_customers", "bad_enum", "segment"),
    ("cases_case_events", "not_json", None),
    ("cases_case_events", "missing_required", "event_id"),
    ("cases_case_events", "missing_payload_key", "payload"),
    ("contacts_calls", "bad_timestamp", "started_at"),
    ("contacts_calls", "negative_integer", "duration_s"),
    ("contacts_messages", "bad_enum", "channel"),
    ("bank_entries", "malformed_amount", "amount"),
    ("fx_rates", "non_numeric_rate", "rate_to_reporting"),
}


def _bad_header_files(out: Path) -> list[str]:
    return [
        path.relative_to(out).as_posix()
        for s in SOURCES
        if s.fmt == "csv"
        for path in files_of(out, s)
        if csv_header(path) != s.columns
    ]


@pytest.mark.parametrize("size", ["tiny", "demo", "xl_small"])
def test_only_labelled_rows_break_the_contract_each_at_its_labelled_field(size, request):
    out = request.getfixturevalue(size)
    expected = {
        (lb["file"], lb["row"]): [lb["field"]] for lb in labels(out) if lb["expect"] == "quarantine"
    }
    rejected = _bad_header_files(out)
    found = {}
    for source in SOURCES:
        for row in read_rows(out, source):
            if row.file not in rejected and (bad := violations(row)):
                found[(row.file, row.row)] = bad
    assert found == expected


def test_every_kind_of_defect_is_planted_in_tiny(tiny: Path) -> None:
    planted = {(lb["table"], lb["kind"], lb["field"]) for lb in labels(tiny)}
    assert planted >= REQUIRED_DEFECTS
    expects = Counter(lb["expect"] for lb in labels(tiny))
    assert expects["reject_file"] >= 3 and expects["dedupe"] >= 2 and expects["correction"] >= 2
    tables = {lb["table"] for lb in labels(tiny) if lb["expect"] == "dedupe"}
    assert tables == {"erp_invoices", "cases_case_events"}
    fixed = {lb["table"] for lb in labels(tiny) if lb["expect"] == "correction"}
    assert fixed == {"erp_invoices", "cases_cases"}


@pytest.mark.parametrize("size", ["tiny", "xl_small"])
def test_each_label_points_at_the_bad_value(size, request) -> None:
    tiny = request.getfixturevalue(size)
    rows = {(r.file, r.row): r for r in all_rows(tiny)}
    for lb in labels(tiny):
        if lb["expect"] in ("quarantine", "dedupe", "correction"):
            row = rows[(lb["file"], lb["row"])]
            if lb["field"] is None:
                assert row.values is None and row.raw == lb["value"]
            elif lb["field"] == "payload":
                assert json.dumps(row.values["payload"], separators=(",", ":")) == lb["value"]
            elif lb["expect"] == "correction":
                assert row.values[lb["field"]] == lb["corrected_value"] != lb["value"]
            else:
                assert row.values.get(lb["field"]) == lb["value"], lb


def test_the_bad_header_file_is_the_only_rejected_file_and_holds_its_labelled_rows(tiny: Path):
    rejected = [lb for lb in labels(tiny) if lb["expect"] == "reject_file"]
    bad_files = _bad_header_files(tiny)
    assert bad_files == [f"contacts/calls_{LATE[:-2]}15.csv"]
    header = csv_header(tiny / bad_files[0])
    assert "duration_sec" in header and "duration_s" not in header
    data_lines = (tiny / bad_files[0]).read_text().strip().split("\n")[1:]
    assert sorted(lb["row"] for lb in rejected) == list(range(2, 2 + len(data_lines)))
    assert {lb["file"] for lb in rejected} == set(bad_files)


@pytest.mark.parametrize("size", ["tiny", "xl_small"])
def test_duplicates_repeat_an_earlier_row_exactly_in_the_later_file(size, request) -> None:
    tiny = request.getfixturevalue(size)
    rows = {(r.file, r.row): r for r in all_rows(tiny)}
    for lb in (lb for lb in labels(tiny) if lb["expect"] == "dedupe"):
        dup = rows[(lb["file"], lb["row"])]
        assert LATE in lb["file"]
        key = "invoice_id" if lb["table"] == "erp_invoices" else "event_id"
        originals = [
            r
            for r in read_rows(tiny, SOURCES_BY_NAME[lb["table"]])
            if r.values
            and r.values.get(key) == lb["key"]
            and (r.file, r.row) != (dup.file, dup.row)
        ]
        assert [r.values for r in originals] == [dup.values]
        assert originals[0].file < dup.file


@pytest.mark.parametrize("size", ["tiny", "xl_small"])
def test_corrections_carry_a_later_updated_at_than_the_first_version(size, request) -> None:
    tiny = request.getfixturevalue(size)
    for lb in (lb for lb in labels(tiny) if lb["expect"] == "correction"):
        source = SOURCES_BY_NAME[lb["table"]]
        versions = [
            r.values for r in read_rows(tiny, source) if r.values.get(source.key) == lb["key"]
        ]
        first, last = versions[0], versions[-1]
        assert first[lb["field"]] == lb["value"]
        assert last[lb["corrected_field"]] == lb["corrected_value"]
        assert last["updated_at"] > first["updated_at"]
        assert last["updated_at"] >= f"{EARLY[:10]}T02:00:00Z"


@pytest.mark.parametrize("size", ["tiny", "xl_small"])
def test_real_ingestion_quarantines_exactly_the_labelled_rows(size, request) -> None:
    """Integration with ingestion/ (readers + validate): what it quarantines or rejects is
    exactly what the labels announce."""
    tiny = request.getfixturevalue(size)
    from ingestion.readers import read_file
    from ingestion.validate import validate

    found = set()
    for source in SOURCES:
        for path in files_of(tiny, source):
            content = read_file(path, source)
            rel = path.relative_to(tiny).as_posix()
            tag = "reject" if content.rejected else "row"
            found |= {(rel, u["source_row"], tag) for u in content.unparsed}
            checked = validate(content.rows, source).quarantine
            found |= {(rel, n, f) for n, f in checked.select("source_row", "field").iter_rows()}
    expected = set()
    for lb in labels(tiny):
        if lb["expect"] == "quarantine":
            expected.add((lb["file"], lb["row"], "row" if lb["field"] is None else lb["field"]))
        elif lb["expect"] == "reject_file":
            expected.add((lb["file"], lb["row"], "reject"))
    assert found == expected
