"""Rule packs: the shipped packs load; a bad pack stops with one line naming file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amicable.config import ConfigError, load_config
from amicable.rule_packs import CHANNELS, RulePackError, load_rule_packs
from amicable.settings import DEFAULT_CONFIG
from ingestion.contracts import MESSAGE_CHANNELS

PACKS = DEFAULT_CONFIG.parent / "rule_packs"
YEARS = (2025, 2026)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rule_packs"
    shutil.copytree(PACKS, target)
    return target


def test_the_shipped_packs_hold_every_rule_of_design_section_5() -> None:
    packs = load_rule_packs(PACKS, YEARS)
    ids = {rule["id"] for rule in packs["rules"]}
    assert ids == {
        "US-7IN7", "US-AFTER-CONV", "US-HOURS", "US-CEASE", "US-DISPUTE", "US-ATTORNEY",
        "US-VALIDATION", "FR-FIRST-LETTER", "FR-NO-FEES", "ANY-LITIGATION-NOTICE",
        "ANY-RETENTION", "ANY-QUIET-HOURS",
    }  # fmt: skip
    assert packs["jurisdictions"] == {"FR": "FR", "US": "US", "UK": "default", "DE": "default"}


def test_public_holidays_come_for_the_quiet_hours_jurisdictions() -> None:
    holidays = load_rule_packs(PACKS, YEARS)["holidays"]
    assert set(holidays) == {"FR", "UK", "DE"}  # ANY-QUIET-HOURS: all but US
    assert "2026-10-03" in holidays["DE"] and "2026-10-03" not in holidays["UK"]
    assert "2025-04-18" in holidays["UK"]  # Good Friday (UK-wide calendar, no subdivision)


def test_a_bad_parameter_names_the_file_and_the_rule(tmp_path: Path) -> None:
    packs = _copy(tmp_path)
    us = packs / "US.yml"
    us.write_text(us.read_text().replace("max_attempts: 7}", "max_attempts: 0}"))
    expected = r"US.yml: rules.US-7IN7.params.max_attempts: Input should be greater"
    with pytest.raises(RulePackError, match=expected):
        load_rule_packs(packs, YEARS)


def test_a_rule_with_both_frequency_modes_is_refused(tmp_path: Path) -> None:
    packs = _copy(tmp_path)
    us = packs / "US.yml"
    text = us.read_text().replace("max_attempts: 7}", "max_attempts: 7, after_conversation: true}")
    us.write_text(text)
    expected = r"rules.US-7IN7.params: set exactly one of max_attempts"
    with pytest.raises(RulePackError, match=expected):
        load_rule_packs(packs, YEARS)


def test_rule_channels_are_the_contact_channels_of_the_contracts() -> None:
    assert {"call", *MESSAGE_CHANNELS} == CHANNELS


def test_a_required_message_on_an_unknown_channel_is_refused(tmp_path: Path) -> None:
    packs = _copy(tmp_path)
    fr = packs / "FR.yml"
    text = fr.read_text().replace("required_channels: [letter,", "required_channels: [post,")
    fr.write_text(text)
    expected = r"FR.yml: rules.FR-FIRST-LETTER.params.required_channels.0: Input should be"
    with pytest.raises(RulePackError, match=expected):
        load_rule_packs(packs, YEARS)


def test_a_jurisdiction_in_two_packs_is_refused(tmp_path: Path) -> None:
    packs = _copy(tmp_path)
    fr = packs / "FR.yml"
    fr.write_text(fr.read_text().replace("jurisdictions: [FR]", "jurisdictions: [FR, DE]"))
    with pytest.raises(RulePackError, match=r"jurisdictions: DE is already in"):
        load_rule_packs(packs, YEARS)


def test_an_unknown_kind_stops_the_configuration_load(tmp_path: Path) -> None:
    config = tmp_path / "amicable.yml"
    shutil.copy(DEFAULT_CONFIG, config)
    packs = _copy(tmp_path)
    fr = packs / "FR.yml"
    fr.write_text(fr.read_text().replace("kind: forbidden_event", "kind: forbidden_events"))
    with pytest.raises(ConfigError, match=r"FR.yml: rules.FR-NO-FEES.kind: Input should be"):
        load_config(config)
