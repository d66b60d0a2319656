from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sample_data import SIZES, generate
from tests.sample_data.conftest import AS_OF
from tests.sample_data.landing import labels


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_same_seed_and_as_of_write_identical_bytes(tmp_path: Path, tiny: Path) -> None:
    again = tmp_path / "again"
    generate(again, size="tiny", seed=7, as_of=AS_OF)
    assert _tree(again) == _tree(tiny)


def test_another_seed_writes_other_data_under_the_same_file_names(tmp_path: Path, tiny: Path):
    other = tmp_path / "other"
    generate(other, size="tiny", seed=8, as_of=AS_OF)
    first, second = _tree(tiny), _tree(other)
    assert first.keys() == second.keys()
    changed = [name for name in first if first[name] != second[name]]
    assert "erp/invoices_2026-11-13T0200.csv" in changed
    assert "cases/case_events_2026-11-13T0200.jsonl" in changed


def test_file_names_carry_extraction_times_derived_from_as_of(tiny: Path) -> None:
    names = sorted(p.relative_to(tiny).as_posix() for p in tiny.rglob("*") if p.is_file())
    for table in ("invoices", "payment_allocations", "customers"):
        assert f"erp/{table}_2026-11-13T0200.csv" in names
        assert f"erp/{table}_2026-11-20T0200.csv" in names
    assert "cases/case_events_2026-11-13T0200.jsonl" in names
    assert "cases/case_events_2026-11-20T0200.jsonl" in names
    assert "cases/agents_2026-11-20T0200.jsonl" in names
    assert "fx/fx_rates_2026-11-20T0200.csv" in names
    assert "contacts/calls_2026-11-20T0215.csv" in names  # the file with the broken header
    assert "bank/statement_EUR_2025-07-01T0600.xml" in names  # June 2025, the first month
    assert "bank/statement_GBP_2026-11-20T0200.xml" in names  # November so far


def test_later_extraction_file_is_smaller_than_the_first(tiny: Path) -> None:
    first = (tiny / "erp/invoices_2026-11-13T0200.csv").read_text().count("\n")
    later = (tiny / "erp/invoices_2026-11-20T0200.csv").read_text().count("\n")
    assert 1 < later < first / 5


def test_summary_counts_the_data_rows_of_every_file(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    summary = generate(out, size="tiny", seed=3, as_of=date(2026, 3, 31))
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert set(summary.rows) == {f for f in files if not f.startswith("_labels/")}
    for rel, n in summary.rows.items():
        text = (out / rel).read_text(encoding="utf-8")
        lines = text.count("<Ntry>") if rel.endswith(".xml") else text.count("\n")
        assert lines - (1 if rel.endswith(".csv") else 0) == n, rel
    assert summary.defects == sum(
        1 for lb in labels(out) if lb["expect"] in ("quarantine", "reject_file")
    )
    saved = json.loads((out / "_labels/summary.json").read_text())
    assert saved["rows"] == summary.rows
    assert (saved["seed"], saved["size"], saved["as_of"]) == (3, "tiny", "2026-03-31")


def test_refuses_to_write_into_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        generate(tmp_path, size="tiny", as_of=AS_OF)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_overwrites_a_previous_output_cleanly(tmp_path: Path) -> None:
    out, fresh = tmp_path / "landing", tmp_path / "fresh"
    generate(out, size="tiny", seed=1, as_of=date(2026, 5, 15))
    (out / "erp" / "stray.csv").write_text("left over")
    generate(out, size="tiny", seed=2, as_of=AS_OF)
    generate(fresh, size="tiny", seed=2, as_of=AS_OF)
    assert _tree(out) == _tree(fresh)


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown size 'huge'"):
        generate(tmp_path / "x", size="huge")
    assert set(SIZES) == {"tiny", "demo", "large", "xl"}


def test_as_of_defaults_to_today(tmp_path: Path) -> None:
    summary = generate(tmp_path / "today", size="tiny")
    assert summary.as_of == date.today()
    assert (tmp_path / "today" / f"fx/fx_rates_{date.today():%Y-%m-%d}T0200.csv").is_file()


def test_demo_has_thousands_of_invoices_and_is_quick(demo_run) -> None:
    out, summary, seconds = demo_run
    invoices = sum(
        (out / rel).read_text(encoding="utf-8").count(",invoice,")
        for rel in summary.rows
        if rel.startswith("erp/invoices_")
    )
    assert invoices > 3000
    assert seconds < 15
