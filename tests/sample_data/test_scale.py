"""The `xl` size reaches a collections business's volumes, written night by night, and the
sizes other tests and benchmarks rely on stay as they were."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sample_data import SIZES, generate
from sample_data.days import UTC, Clock, local_to_utc
from sample_data.profiles import AGENCY, STANDARD
from sample_data.world import TIMEZONES
from tests.sample_data.conftest import AS_OF
from tests.sample_data.landing import labels

CONTACT_EVENTS = ("contacts_calls", "contacts_messages", "cases_case_events")
PER_DEBTOR = ("erp_invoices", "erp_payment_allocations", *CONTACT_EVENTS)
# sha256 over the tiny sample's files (seed 7, as of 2026-11-20): paths and bytes, sorted
# by path. It changes only when the generator's output changes, which breaks the recorded
# benchmarks and the tests built on the other sizes: change it on purpose or not at all.
TINY_DIGEST = "d0fd4d41b68c72014494dcd377ff2ef03c56b21e15b5f74731a24edebc4574ac"


def _rows_by_table(out: Path) -> Counter:
    summary = json.loads((out / "_labels" / "summary.json").read_text(encoding="utf-8"))
    rows: Counter = Counter()
    for rel, n in summary["rows"].items():
        rows[summary["tables"][rel]] += n
    return rows


def _digest(out: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        sha.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def test_xl_extrapolated_from_300_debtors_reaches_the_benchmark_volumes(xl_small: Path) -> None:
    rows = _rows_by_table(xl_small)
    scale = SIZES["xl"].debtors / 300  # every row of these tables belongs to one debtor
    assert rows["erp_invoices"] * scale >= 1_000_000
    assert rows["erp_payment_allocations"] * scale >= 1_000_000
    assert sum(rows[t] for t in CONTACT_EVENTS) * scale >= 10_000_000


def test_xl_works_its_cases_harder_than_the_standard_sizes(xl_small: Path, demo: Path) -> None:
    xl, standard = _rows_by_table(xl_small), _rows_by_table(demo)

    def contacts_per_invoice(rows: Counter) -> float:
        return sum(rows[t] for t in CONTACT_EVENTS) / rows["erp_invoices"]

    assert contacts_per_invoice(xl) > 5 * contacts_per_invoice(standard)
    assert SIZES["xl"].profile is AGENCY and SIZES["xl"].daily


def test_xl_writes_one_file_per_source_and_night_up_to_as_of(xl_small: Path) -> None:
    clock = Clock.of(AS_OF)
    nights = {
        f"{clock.start + timedelta(days=n):%Y-%m-%d}T0200"
        for n in range(1, (AS_OF - clock.start).days + 1)
    }
    for folder, stem in (("contacts", "calls_"), ("cases", "case_events_"), ("erp", "invoices_")):
        stamps = [p.name[len(stem) :].split(".")[0] for p in (xl_small / folder).glob(stem + "2*")]
        assert len(stamps) == len(set(stamps)) > 250  # weekends and holidays have no calls
        assert set(stamps) <= nights | {f"{AS_OF:%Y-%m-%d}T0215"}  # + the bad-header export
    fx = sorted(p.name for p in (xl_small / "fx").iterdir())
    assert len(fx) == (AS_OF - clock.start).days + 1  # one per rate day, as_of's included


def test_no_allocation_arrives_before_the_statement_of_its_bank_entry(xl_small: Path) -> None:
    """With nightly files the bank statements are nightly too: an ERP allocation's file is
    never older than the statement holding its bank entry (monthly statements left a month
    of allocations pointing at entries no file had delivered yet)."""
    night = lambda path: path.stem.split("_")[-1]  # noqa: E731
    delivered = {}
    for path in (xl_small / "bank").glob("statement_*.xml"):
        for ref in re.findall(r"<AcctSvcrRef>([^<]+)</AcctSvcrRef>", path.read_text("utf-8")):
            delivered[ref] = night(path)
    allocations = before = 0
    for path in (xl_small / "erp").glob("payment_allocations_2*.csv"):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                allocations += 1
                entry_night = delivered.get(row["payment_ref"])
                before += entry_night is not None and entry_night > night(path)
    assert allocations > 1_000 and len(delivered) > 1_000
    assert before == 0


def test_each_nightly_file_holds_the_day_before_it(xl_small: Path) -> None:
    """A call started at moment t is in the extraction at the first 02:00 after t, except
    planted duplicates (they come again with the last extraction)."""
    late = {(lb["file"], lb["row"]) for lb in labels(xl_small) if lb["expect"] == "dedupe"}
    first = Clock.of(AS_OF).start + timedelta(days=1)
    checked = 0
    for path in sorted((xl_small / "contacts").glob("calls_2*.csv"))[:40]:
        night = datetime.strptime(path.stem[len("calls_") :], "%Y-%m-%dT%H%M")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
            started = datetime.fromisoformat(line.split(",")[5][:-1])
            if (path.relative_to(xl_small).as_posix(), n) in late:
                continue
            assert started < night
            assert night.date() == first or started >= night - timedelta(days=1)
            checked += 1
    assert checked > 100


def test_scaling_xl_down_keeps_its_profile_and_names_the_debtors(xl_small: Path) -> None:
    summary = json.loads((xl_small / "_labels" / "summary.json").read_text(encoding="utf-8"))
    assert summary["size"] == "xl" and summary["debtors"] == 300
    customers = _rows_by_table(xl_small)["erp_customers"]
    assert 300 <= customers <= 2 * 300 + 1  # a debtor has one or two versions, + the former


def test_too_few_debtors_to_host_the_planted_scenarios_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 15 debtors"):
        generate(tmp_path / "out", size="xl", seed=7, as_of=AS_OF, debtors=5)


def test_existing_sizes_keep_their_debtors_profile_and_two_extractions() -> None:
    shapes = {name: (s.debtors, s.agents_per_team, s.profile, s.daily) for name, s in SIZES.items()}
    assert shapes["tiny"] == (40, 3, STANDARD, False)
    assert shapes["demo"] == (480, 6, STANDARD, False)
    assert shapes["large"] == (118_000, 100, STANDARD, False)


def test_tiny_is_byte_identical_to_the_recorded_sample(tiny: Path) -> None:
    assert _digest(tiny) == TINY_DIGEST, "the generator's output for existing sizes changed"


@pytest.mark.parametrize("tz", sorted({tz for zones in TIMEZONES.values() for tz in zones}))
def test_local_to_utc_shortcut_agrees_with_the_time_zone_rules_all_year(tz: str) -> None:
    """Including the days clocks change: the shortcut only serves times from 05:00."""
    day = date(2025, 1, 1)
    while day.year == 2025:
        for seconds in (5 * 3600, 9 * 3600 + 17, 18 * 3600 + 1800, 21 * 3600, 86_399):
            wall = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
            exact = (wall + timedelta(seconds=seconds)).astimezone(UTC).replace(tzinfo=None)
            assert local_to_utc(day, seconds, tz) == exact, (day, seconds)
        day += timedelta(days=1)
