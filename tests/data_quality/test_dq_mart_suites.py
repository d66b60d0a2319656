"""Every mart has a suite keyed like its dbt model; on the built sample they pass, and a mart
broken on purpose (in a copy of the warehouse) fails the right blocking expectation by key."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
import yaml

from amicable.settings import DBT_PROJECT_DIR, Settings
from data_quality.runner import SuiteOutcome, format_key, run_suite
from data_quality.suites import SUITES
from data_quality.suites_marts import AGEING_BUCKET_DAYS
from orchestration.definitions import build_definitions
from tests.conftest import SampleBuild

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
MART_SUITES = {t: build for t, build in SUITES.items() if t.startswith("marts.")}


def _dbt_models() -> dict[str, dict[str, Any]]:
    """The marts' YAML entries by model name."""
    return {
        model["name"]: model
        for path in MARTS_DIR.rglob("_*__models.yml")
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    }


def _dbt_key(model: dict[str, Any]) -> list[str]:
    """The model's first unique_combination_of_columns test, else its `unique` column."""
    for test in model.get("data_tests") or []:
        if isinstance(test, dict) and "unique_combination_of_columns" in test:
            return test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
    return [c["name"] for c in model["columns"] if "unique" in (c.get("data_tests") or [])]


def _in_sets(table: str) -> dict[str, set[object]]:
    """The allowed values a suite asserts per column (unconditional in-set expectations)."""
    return {
        e.column: set(e.value_set)
        for e in SUITES[table]().expectations
        if e.expectation_type == "expect_column_values_to_be_in_set" and not e.row_condition
    }


def test_every_mart_model_has_a_suite_on_its_dbt_asset() -> None:
    models = {path.stem for path in MARTS_DIR.rglob("*.sql")}
    assert set(MART_SUITES) == {f"marts.{name}" for name in models}
    for table, build in MART_SUITES.items():
        suite = build()
        assert (suite.name, suite.meta["asset_key"]) == (table, table.split("."))
        assert build.__doc__ and table in build.__doc__


def test_each_mart_suite_reports_failing_rows_by_the_dbt_key() -> None:
    models = _dbt_models()
    for table, build in MART_SUITES.items():
        key = _dbt_key(models[table.removeprefix("marts.")])
        assert build().meta["id_columns"] == key, table


def test_allowed_values_are_dbt_accepted_values_and_the_ageing_buckets() -> None:
    models = _dbt_models()
    for table in MART_SUITES:
        name = table.removeprefix("marts.")
        asserted = _in_sets(table)
        for column in models[name]["columns"]:
            for test in column.get("data_tests") or []:
                if isinstance(test, dict) and "accepted_values" in test:
                    values = set(test["accepted_values"]["arguments"]["values"])
                    assert asserted.get(column["name"]) == values, (name, column["name"])
    (buckets,) = [
        test["accepted_values"]["arguments"]["values"]
        for column in models["fct_ar_ageing"]["columns"]
        if column["name"] == "ageing_bucket"
        for test in column.get("data_tests") or []
        if isinstance(test, dict) and "accepted_values" in test
    ]
    assert list(AGEING_BUCKET_DAYS) == buckets


def test_the_mart_checks_attach_to_the_dbt_mart_assets(tmp_path: Path) -> None:
    defs = build_definitions(Settings(landing=tmp_path, warehouse=tmp_path / "w.duckdb"))
    graph = defs.resolve_asset_graph()
    checks = {key.name: key.asset_key for key in graph.asset_check_keys}
    for table in MART_SUITES:
        asset = checks[f"{table.replace('.', '_')}_suite"]
        assert asset == dg.AssetKey(table.split(".")) and asset in graph.get_all_asset_keys()


def test_every_mart_suite_passes_on_the_built_sample(sample_build: SampleBuild) -> None:
    results = {c.asset: c for c in sample_build.outcome.checks if c.check.endswith("_suite")}
    for table in MART_SUITES:
        check = results[table.replace(".", "/")]
        assert check.passed, (table, check.description)


@dataclass(frozen=True)
class Break:
    """Break `table` in a copy of the sample: `change` (SQL; `{row}` is the condition picking
    the first row where `pick` holds) must fail `expectation`, blocking, on that row's key
    (`copies` times: a duplicated row is reported twice)."""

    table: str
    change: str
    expectation: str
    pick: str = "true"
    copies: int = 1


INSERT_COPY = "insert into {t} select * from {t} where {row}"
BREAKS = {
    "duplicated movement": Break(
        "fct_ar_movements",
        INSERT_COPY,
        "expect_compound_columns_to_be_unique(snapshot_date, invoice_id)",
        copies=2,
    ),
    "negative cash applied": Break(
        "fct_ar_movements",
        "update {t} set cash_applied_amount_rc = -cash_applied_amount_rc where {row}",
        "expect_column_values_to_be_between(cash_applied_amount_rc)",
        pick="cash_applied_amount_rc > 0",
    ),
    "recovery rate above 1": Break(
        "fct_recovery_cases",
        "update {t} set recovery_rate = 1.5 where {row}",
        "expect_column_values_to_be_between(recovery_rate)",
    ),
    "unknown ageing bucket": Break(
        "fct_ar_ageing_by_invoice_date",
        "update {t} set ageing_bucket = '0-30' where {row}",
        "expect_column_values_to_be_in_set(ageing_bucket)",
    ),
    "timeline record without kind": Break(
        "fct_case_timeline",
        "update {t} set record_kind = null where {row}",
        "expect_column_values_to_not_be_null(record_kind)",
    ),
    "stay left before it was entered": Break(
        "fct_case_stage_durations",
        "update {t} set left_at = entered_at - interval 1 day where {row}",
        "expect_column_pair_values_a_to_be_greater_than_b(left_at, entered_at)",
        pick="left_at is not null",
    ),
    "unknown kept-rate dimension": Break(
        "fct_promise_kept_rates",
        "update {t} set dimension = 'region' where {row}",
        "expect_column_values_to_be_in_set(dimension)",
    ),
    "referral before the case opened": Break(
        "fct_litigation_referrals",
        "update {t} set referred_at = opened_at - interval 1 hour where {row}",
        "expect_column_pair_values_a_to_be_greater_than_b(referred_at, opened_at)",
    ),
    "duplicated case": Break(
        "dim_cases", INSERT_COPY, "expect_column_values_to_be_unique(case_id)", copies=2
    ),
    "breach without id": Break(
        "fct_compliance_breaches",
        "alter table {t} alter column breach_id drop not null;"
        " update {t} set breach_id = null where {row}",
        "expect_column_values_to_not_be_null(breach_id)",
    ),
    "unverifiable rule id in the summary": Break(
        "fct_compliance_summary",
        "update {t} set rule_id = rule_id || '-UNKNOWN-TZ' where {row}",
        "expect_column_values_to_not_match_regex(rule_id)",
    ),
}


def _break(
    sample: SampleBuild, tmp_path: Path, table: str, change: str, pick: str
) -> tuple[Path, str]:
    """A copy of the sample warehouse with `change` applied to the first row of
    `marts.<table>` where `pick` holds; and that row's key as the suite reports it."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample.settings.warehouse, warehouse)
    t = f"marts.{table}"
    with duckdb.connect(str(warehouse)) as con:
        [(rowid,)] = con.execute(f"select min(rowid) from {t} where {pick}").fetchall()
        assert rowid is not None, f"no row of {t} where {pick}"
        con.execute(change.format(t=t, row=f"rowid = {rowid}"))
        row = con.execute(f"select * from {t} where rowid = {rowid}").df().iloc[0].to_dict()
    return warehouse, format_key(row, SUITES[t]().meta["id_columns"])


def _check(warehouse: Path, table: str) -> SuiteOutcome:
    return run_suite(warehouse, f"marts.{table}", SUITES[f"marts.{table}"]())


@pytest.mark.parametrize("case", list(BREAKS.values()), ids=list(BREAKS))
def test_a_broken_mart_fails_its_blocking_expectation_on_the_key(
    sample_build: SampleBuild, tmp_path: Path, case: Break
) -> None:
    warehouse, key = _break(sample_build, tmp_path, case.table, case.change, case.pick)
    outcome = _check(warehouse, case.table)
    assert {r.name: r.failing_keys for r in outcome.blocking_failures} == {
        case.expectation: (key,) * case.copies
    }
    assert outcome.warning_failures == ()


def test_an_unknown_close_reason_is_only_a_warning(
    sample_build: SampleBuild, tmp_path: Path
) -> None:
    change = "update {t} set close_reason = 'bankrupt' where {row}"
    warehouse, key = _break(sample_build, tmp_path, "dim_cases", change, "not is_open")
    outcome = _check(warehouse, "dim_cases")
    assert outcome.blocking_failures == ()
    assert {r.name: r.failing_keys for r in outcome.warning_failures} == {
        "expect_column_values_to_be_in_set(close_reason)": (key,)
    }
