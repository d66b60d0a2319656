"""Late-payment packs and the reference-rate table (amicable/late_payment.py): the creditor's
pack is chosen by jurisdiction, its rate history goes to dbt, and a bad file stops the build in
one line naming the file, the row or key and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amicable.config import ConfigError, load_config
from amicable.late_payment import LatePaymentError, late_payment_var
from amicable.settings import DEFAULT_CONFIG

PACKS = DEFAULT_CONFIG.parent / "late_payment"


@pytest.fixture
def packs(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACKS, tmp_path / "late_payment"))


@pytest.mark.parametrize(
    ("jurisdiction", "pack", "rate", "margin", "offset"),
    [
        ("FR", "FR", "ECB_MRO", "10", 0),
        ("UK", "UK", "BOE_BASE", "8", -1),
        ("GB", "UK", "BOE_BASE", "8", -1),
        ("DE", "EU", "ECB_MRO", "8", 0),
    ],
)
def test_the_creditor_jurisdiction_picks_its_pack_else_the_eu_default(
    jurisdiction: str, pack: str, rate: str, margin: str, offset: int
) -> None:
    var = late_payment_var(PACKS, jurisdiction)
    assert (var["pack"], var["reference_rate"], var["margin_points"]) == (pack, rate, margin)
    assert var["fixing_offset_days"] == offset
    days = [day for day, _ in var["rates"]]
    assert days == sorted(days) and len(days) > 10, "only the pack's rate, in date order"


def test_uk_fixed_sums_follow_the_size_of_the_debt() -> None:
    var = late_payment_var(PACKS, "UK")
    assert var["compensation_currency"] == "GBP"
    assert var["compensation_tiers"] == [["1000", "40"], ["10000", "70"], [None, "100"]]


def test_the_configuration_passes_the_pack_to_dbt(tmp_path: Path) -> None:
    config_dir = Path(shutil.copytree(DEFAULT_CONFIG.parent, tmp_path / "config"))
    path = config_dir / DEFAULT_CONFIG.name
    path.write_text(
        path.read_text().replace("creditor_jurisdiction: FR", "creditor_jurisdiction: GB")
    )
    assert load_config(path).dbt_vars()["late_payment"]["pack"] == "UK"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("ECB_MRO,2025-13-01,2.00,ECB", r"row 21: effective_from: '2025-13-01' is not an ISO date"),
        ("ECB_MRO,2025-09-01,two,ECB", r"row 21: rate_pct: 'two' is not a number"),
        ("ECB_MRO,2013-11-13,2.00,ECB", r"row 21: ECB_MRO already has a rate from 2013-11-13"),
        (",2025-09-01,2.00,ECB", r"row 21: rate: empty"),
    ],
)
def test_a_bad_rate_row_names_the_file_the_row_and_the_field(
    packs: Path, row: str, message: str
) -> None:
    table = packs / "reference_rates.csv"
    lines = table.read_text().splitlines()
    lines.insert(20, row)  # line 21 of the file (the header is line 1)
    table.write_text("\n".join(lines) + "\n")
    with pytest.raises(LatePaymentError, match=r"reference_rates.csv: " + message):
        late_payment_var(packs, "FR")


def test_a_pack_without_its_rate_in_the_table_is_refused(packs: Path) -> None:
    table = packs / "reference_rates.csv"
    kept = [line for line in table.read_text().splitlines() if not line.startswith("BOE_BASE")]
    table.write_text("\n".join(kept) + "\n")
    with pytest.raises(LatePaymentError, match=r"UK.yml: reference_rate: no row of BOE_BASE"):
        late_payment_var(packs, "UK")


def test_an_unbounded_tier_before_the_last_is_refused_naming_the_key(packs: Path) -> None:
    uk = packs / "UK.yml"
    uk.write_text(uk.read_text().replace("    - below: 1000\n", "    - below: null\n"))
    with pytest.raises(LatePaymentError, match=r"UK.yml: compensation: tiers: only the last"):
        late_payment_var(packs, "UK")


def test_a_bad_pack_stops_the_configuration_in_one_line(tmp_path: Path) -> None:
    config_dir = Path(shutil.copytree(DEFAULT_CONFIG.parent, tmp_path / "config"))
    fr = config_dir / "late_payment" / "FR.yml"
    fr.write_text(fr.read_text().replace("margin_points: 10", "margin_points: ten"))
    with pytest.raises(ConfigError, match=r"FR.yml: margin_points: "):
        load_config(config_dir / DEFAULT_CONFIG.name)
