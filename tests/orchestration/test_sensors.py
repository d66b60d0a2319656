"""The landing-zone sensor sees every file ingestion records, not only the expected names."""

from __future__ import annotations

from pathlib import Path

from orchestration.sensors import landing_fingerprint


def test_any_new_file_changes_the_fingerprint_but_the_sample_labels_do_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "erp").mkdir()
    (tmp_path / "erp" / "invoices_2026-11-20T0200.csv").write_text("invoice_id\n")
    before = landing_fingerprint(tmp_path)
    (tmp_path / "_labels").mkdir()
    (tmp_path / "_labels" / "defects.jsonl").write_text("{}\n")
    assert landing_fingerprint(tmp_path) == before, "ingestion skips `_` entries: so does this"
    (tmp_path / "erp" / "INVOICES_2026-11-21T0200.CSV").write_text("invoice_id\n")
    upper_case = landing_fingerprint(tmp_path)
    assert upper_case != before
    (tmp_path / "erp" / "invoices.csv").write_text("invoice_id\n")
    assert landing_fingerprint(tmp_path) != upper_case, "recorded (rejected) by ingestion"
