"""Bring your own data, end to end: IBM's public accounts-receivable sample (read where it lies
in `../shared/realdata/ibm_ar/`, never copied into the repository) goes through the four
mappings of `mappings/ibm_ar/` and `amicable build`; its monthly standard DSO equals the
DESIGN.md §4 formula computed here straight from the raw CSV."""

from __future__ import annotations

import calendar
import csv
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from tests.ingestion.test_import_ibm_sample import REAL, import_ibm_sample

pytestmark = pytest.mark.skipif(not REAL.is_file(), reason=f"{REAL} is not on this machine")
AS_OF = date(2014, 1, 31)


def _date(text: str) -> date:
    month, day, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


def expected_standard_dso() -> dict[date, Decimal | None]:
    """Ending AR ÷ the month's credit sales × its days, per month of the sample (every invoice
    is paid in full on its settled date, so AR at a day = invoices issued by then and settled
    after it); null when the month has no sales; rounded half away from zero."""
    with REAL.open(encoding="utf-8", newline="") as fh:
        invoices = [
            (_date(r["InvoiceDate"]), _date(r["SettledDate"]), Decimal(r["InvoiceAmount"]))
            for r in csv.DictReader(fh)
        ]
    first = min(issued for issued, _, _ in invoices).replace(day=1)
    expected: dict[date, Decimal | None] = {}
    month = first
    while month < AS_OF.replace(day=1):  # whole months; the as-of month is partial
        last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        sales = sum(a for issued, _, a in invoices if month <= issued <= last)
        ending = sum(a for issued, settled, a in invoices if issued <= last < settled)
        days = (last - month).days + 1
        expected[month] = (
            (ending / sales * days).quantize(Decimal("0.01"), ROUND_HALF_UP) if sales else None
        )
        month = last + timedelta(days=1)
    return expected


def test_ibm_sample_builds_and_its_standard_dso_matches_the_raw_csv(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    import_ibm_sample(landing)
    warehouse = tmp_path / "ibm.duckdb"
    args = ["build", "--landing", str(landing), "--warehouse", str(warehouse)]
    assert main([*args, "--as-of", AS_OF.isoformat(), "--reporting-currency", "USD"]) == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
        built = con.execute(
            "select month, segment, standard_dso_days from marts.fct_dso "
            "where segment in ('all', 'B2B') and month < ?",
            [AS_OF.replace(day=1)],
        ).fetchall()
    expected = expected_standard_dso()
    assert len(expected) == 24 and all(v is not None for v in expected.values())
    for segment in ("all", "B2B"):
        got = {m: (None if v is None else Decimal(str(v))) for m, s, v in built if s == segment}
        assert got == expected, segment
