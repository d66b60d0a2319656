"""The suites of the other raw tables catch allowed values, signs and date order."""

from __future__ import annotations

import copy
from pathlib import Path

from dq_fixtures import RAW, build_warehouse

from data_quality.runner import SuiteOutcome, run_suite
from data_quality.suites import SUITES


def _check(tmp_path: Path, table: str, extra: dict[str, object] | None = None) -> SuiteOutcome:
    raw = copy.deepcopy(RAW)
    raw.setdefault(table, [])
    if extra is not None:
        raw[table].append(extra)
    warehouse = build_warehouse(tmp_path / "w.duckdb", raw)
    return run_suite(warehouse, f"raw.{table}", SUITES[f"raw.{table}"]())


def _blocking(outcome: SuiteOutcome) -> dict[str, tuple[str, ...]]:
    return {r.name: r.failing_keys for r in outcome.blocking_failures}


def test_the_clean_fixture_passes_every_raw_suite_it_fills(tmp_path: Path) -> None:
    for table in RAW:
        outcome = _check(tmp_path, table)
        assert outcome.blocking_failures == (), table


def test_an_unknown_call_outcome_is_blocking(tmp_path: Path) -> None:
    bad = dict(RAW["contacts_calls"][0], contact_id="K-2", outcome="hung_up")
    assert _blocking(_check(tmp_path, "contacts_calls", bad)) == {
        "expect_column_values_to_be_in_set(outcome)": ("K-2 (f_contacts_calls.csv:2)",)
    }


def test_an_agent_leaving_before_starting_is_blocking(tmp_path: Path) -> None:
    agent = {"agent_id": "A-1", "name": "Ann", "team": "T1", "active_from": "2026-01-10",
             "active_to": "2026-01-02"}  # fmt: skip
    failures = _blocking(_check(tmp_path, "cases_agents", agent))
    assert failures == {
        "expect_column_pair_values_a_to_be_greater_than_b(active_to, active_from)": (
            "A-1 (f_cases_agents.csv:1)",
        )
    }


def test_a_zero_fx_rate_is_blocking_and_a_rate_twice_in_one_file_a_warning(
    tmp_path: Path,
) -> None:
    rate = {"rate_date": "2026-01-05", "currency": "USD", "rate_to_reporting": "0.0000000000"}
    raw = copy.deepcopy(RAW)
    raw["fx_rates"] = [rate, dict(rate)]
    warehouse = build_warehouse(tmp_path / "w.duckdb", raw)
    outcome = run_suite(warehouse, "raw.fx_rates", SUITES["raw.fx_rates"]())
    assert sorted(_blocking(outcome)) == ["expect_column_values_to_be_between(rate_to_reporting)"]
    assert _blocking(outcome)["expect_column_values_to_be_between(rate_to_reporting)"] == (
        "2026-01-05 | USD (f_fx_rates.csv:1)",
        "2026-01-05 | USD (f_fx_rates.csv:2)",
    )
    warnings = {r.name: r.failing_keys for r in outcome.warning_failures}
    assert warnings == {
        "expect_compound_columns_to_be_unique(rate_date, currency, _extracted_at, _loaded_at)": (
            "2026-01-05 | USD (f_fx_rates.csv:1)",
            "2026-01-05 | USD (f_fx_rates.csv:2)",
        )
    }
