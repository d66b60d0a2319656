"""Business thresholds: one validated file, clear errors naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.cli import main
from amicable.config import ConfigError, load_config
from amicable.settings import DEFAULT_CONFIG
from ingestion.source_db import DEFAULT_TABLES, SourceTableSpec
from orchestration.dbt_assets import DbtBuildConfig, dbt_vars


def test_the_shipped_configuration_loads_with_the_design_defaults() -> None:
    config = load_config(DEFAULT_CONFIG)
    assert config.reporting_currency == "EUR"
    assert config.promises.grace_days == 3
    assert config.stuck_cases.broken_promise_follow_up_days == 3


def test_an_unknown_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "amicable.yml"
    text = DEFAULT_CONFIG.read_text().replace("grace_days: 3", "grace_dayz: 3")
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"amicable.yml: promises.grace_dayz: Extra inputs"):
        load_config(path)


def test_a_negative_grace_period_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "amicable.yml"
    path.write_text(DEFAULT_CONFIG.read_text().replace("grace_days: 3", "grace_days: -1"))
    with pytest.raises(ConfigError, match=r"promises.grace_days: Input should be greater"):
        load_config(path)


def test_the_cli_stops_on_a_bad_configuration_in_one_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "amicable.yml"
    path.write_text("reporting_currency: [EUR\n")
    (tmp_path / "landing").mkdir()
    status = main(["build", "--landing", str(tmp_path / "landing"), "--config", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"amicable: error: configuration {path}, line 2: not valid YAML (")
    assert err.count("\n") == 1


def test_run_options_override_the_configuration_in_dbt_vars() -> None:
    business = load_config(DEFAULT_CONFIG).dbt_vars()
    assert dbt_vars(DbtBuildConfig(), business)["reporting_currency"] == "EUR"
    merged = dbt_vars(DbtBuildConfig(as_of="2024-02-29", reporting_currency="USD"), business)
    assert merged["as_of"] == "2024-02-29" and merged["reporting_currency"] == "USD"
    assert merged["promises"]["grace_days"] == 3


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "amicable.yml"
    text = DEFAULT_CONFIG.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    for folder in ("rule_packs", "late_payment"):
        (tmp_path / folder).symlink_to(DEFAULT_CONFIG.parent / folder)
    return path


def test_cadences_are_hours_or_days_for_every_source(tmp_path: Path) -> None:
    quality = load_config(DEFAULT_CONFIG).quality
    assert quality.freshness["erp_invoices"] == 96
    assert quality.volume.bounds("erp_invoices").min_ratio == 0.5
    path = _edited(tmp_path, "erp_invoices: 4d", "erp_invoices: 36h")
    assert load_config(path).quality.freshness["erp_invoices"] == 36


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("fx_rates: 4d", "fx_rates: 4 days", r"quality.freshness.fx_rates: .*write hours as `36h`"),
        ("    fx_rates: 4d\n", "", r"quality.freshness: .*no cadence for .*fx_rates"),
        (
            "overrides: {}",
            "overrides: {invoices: {min_ratio: 0.1}}",
            r"quality.volume.overrides: .*unknown source table\(s\) invoices",
        ),
        ("max_ratio: 3.0", "max_ratio: 0.4", r"quality.volume: .*min_ratio 0.5 exceeds max_ratio"),
    ],
    ids=["cadence in words", "source without cadence", "unknown source", "inverted bounds"],
)
def test_a_bad_quality_threshold_is_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_edited(tmp_path, old, new))


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ("[30, 30, 90]", r"ageing.bucket_edges: edges must increase: 30 follows 30"),
        ("[60, 30]", r"ageing.bucket_edges: edges must increase: 30 follows 60"),
        ("[0, 30]", r"ageing.bucket_edges.0: Input should be greater than 0"),
        ("[]", r"ageing.bucket_edges: List should have at least 1 item"),
    ],
)
def test_bad_ageing_bucket_edges_are_refused_naming_the_key(
    tmp_path: Path, edges: str, message: str
) -> None:
    path = tmp_path / "amicable.yml"
    text = DEFAULT_CONFIG.read_text().replace(
        "bucket_edges: [30, 60, 90, 120]", f"bucket_edges: {edges}"
    )
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_the_default_ageing_edges_reach_dbt() -> None:
    assert load_config(DEFAULT_CONFIG).dbt_vars()["ageing"] == {"bucket_edges": [30, 60, 90, 120]}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("sms: 0.05", "sms: -0.05", r"channels.cost_per_contact.sms: Input should be greater"),
        (
            "sms: 0.05",
            "sms: cheap",
            r"channels.cost_per_contact.sms: Input should be a valid number",
        ),
        (
            "sms: 0.05",
            "fax: 0.05",
            r"channels.cost_per_contact: unknown channel\(s\) fax; known: call, ",
        ),
    ],
    ids=["negative", "not a number", "unknown channel"],
)
def test_a_bad_channel_cost_is_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_edited(tmp_path, old, new))


def test_channel_costs_reach_dbt_and_an_unlisted_channel_has_none(tmp_path: Path) -> None:
    costs = load_config(DEFAULT_CONFIG).dbt_vars()["channels"]["cost_per_contact"]
    assert costs == {
        "call": 1.2,
        "email": 0.01,
        "sms": 0.05,
        "letter": 0.9,
        "registered_letter": 6.5,
    }
    text = DEFAULT_CONFIG.read_text()
    start = text.index("channels:\n")
    end = text.index("compliance:\n")
    path = _edited(tmp_path, text[start:end], "")
    assert load_config(path).dbt_vars()["channels"] == {"cost_per_contact": {}}


def test_a_source_database_table_entry_replaces_its_default_only(tmp_path: Path) -> None:
    entry = "  tables:\n    cases_case_events: {table: cases.case_events, cursor: event_seq}\n"
    config = load_config(_edited(tmp_path, "  tables: {}\n", entry))
    specs = config.source_database.specs()
    assert specs["cases_case_events"] == SourceTableSpec("cases.case_events", "event_seq")
    assert {n: s for n, s in specs.items() if n != "cases_case_events"} == {
        n: s for n, s in DEFAULT_TABLES.items() if n != "cases_case_events"
    }
    unknown = "  tables:\n    fx_rates: {table: fx.rates, cursor: rate_date}\n"
    (tmp_path / "other").mkdir()
    with pytest.raises(ConfigError, match=r"source_database.tables: .*fx_rates are not read"):
        load_config(_edited(tmp_path / "other", "  tables: {}\n", unknown))
