from __future__ import annotations

from pathlib import Path

import pytest

INVOICE_HEADER = (
    "invoice_id,debtor_id,invoice_number,document_type,reference_invoice_id,"
    "issue_date,due_date,amount,currency,updated_at"
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    for folder in ("erp", "cases", "contacts", "bank", "fx"):
        (root / folder).mkdir(parents=True)
    return root


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path
