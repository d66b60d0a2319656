"""Mart invariants are dbt tests, in the YAML beside each mart (one home per rule; Great
Expectations guards the raw tables). Every mart's key is tested, and a mart broken on purpose in
a copy of the built sample fails exactly the dbt test that states the broken rule."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from typing import Any

import duckdb
import pytest
import yaml

from amicable.settings import DBT_PROJECT_DIR
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dbt_project.raw_fixture import dbt_vars, run_dbt

MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"


def _mart_models() -> dict[str, dict[str, Any]]:
    """The marts' YAML entries by model name."""
    return {
        model["name"]: model
        for path in MARTS_DIR.rglob("_*__models.yml")
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    }


def _test_names(tests: list[Any] | None) -> list[str]:
    return [t if isinstance(t, str) else next(iter(t)) for t in tests or []]


def _key(model: dict[str, Any]) -> list[str]:
    """The model's first unique_combination_of_columns test, else its `unique` column."""
    for test in model.get("data_tests") or []:
        if isinstance(test, dict) and "unique_combination_of_columns" in test:
            return test["unique_combination_of_columns"]["arguments"]["combination_of_columns"]
    return [c["name"] for c in model["columns"] if "unique" in _test_names(c.get("data_tests"))]


def _is_not_null(column: dict[str, Any]) -> bool:
    """A not_null constraint (the contract refuses the table) or a not_null test."""
    constraints = {c["type"] for c in column.get("constraints") or []}
    return "not_null" in constraints or "not_null" in _test_names(column.get("data_tests"))


def test_every_mart_has_a_key_tested_unique_and_not_null() -> None:
    models = _mart_models()
    marts = sorted(path.stem for path in MARTS_DIR.rglob("*.sql"))
    assert set(marts) <= set(models), "every mart is described in its folder's YAML"
    for name in marts:
        key = _key(models[name])
        assert key, f"{name}: no unique or unique_combination_of_columns test"
        columns = {c["name"]: c for c in models[name]["columns"]}
        assert [k for k in key if not _is_not_null(columns[k])] == [], name


@dataclass(frozen=True)
class Break:
    """Break `marts.<mart>` in a copy of the sample: `change` (SQL; `{t}` is the mart, `{row}`
    the condition picking its first row where `pick` holds) must make the dbt test whose name
    starts with `fails` end with `status` (`fail`, or `warn` for a warning-level test), on one
    failing row or key; `also`: other tests the change rightly fails."""

    mart: str
    change: str
    fails: str
    pick: str = "true"
    status: str = "fail"
    also: tuple[str, ...] = ()


INSERT_COPY = "insert into {t} select * from {t} where {row}"
BREAKS = {
    "duplicated movement": Break(
        "fct_ar_movements",
        INSERT_COPY,
        "unique_combination_of_columns_fct_ar_movements_snapshot_date__invoice_id",
        also=("assert_ar_movements_tie_to_ageing",),  # the copy counts twice in the totals
    ),
    "negative cash applied": Break(
        "fct_ar_movements",
        "update {t} set cash_applied_amount_rc = -cash_applied_amount_rc where {row}",
        "fct_ar_movements_amounts_are_never_negative",
        pick="cash_applied_amount_rc > 0",
    ),
    "recovery rate above 1": Break(
        "fct_recovery_cases",
        "update {t} set recovery_rate = 1.5 where {row}",
        "fct_recovery_cases_recovery_rate_is_between_0_and_1",
    ),
    "unknown ageing bucket": Break(
        "fct_ar_ageing_by_invoice_date",
        "update {t} set ageing_bucket = '0-30' where {row}",
        "relationships_fct_ar_ageing_by_invoice_date_ageing_bucket",
    ),
    "current AR above ending AR": Break(
        "fct_dso_periods",
        "update {t} set current_ar_rc = ending_ar_rc + 1 where {row}",
        "fct_dso_periods_current_ar_is_part_of_ending_ar",
        pick="ending_ar_rc is not null",
    ),
    "timeline record without kind": Break(
        "fct_case_timeline",
        "update {t} set record_kind = null where {row}",
        "not_null_fct_case_timeline_record_kind",
    ),
    "stay left before it was entered": Break(
        "fct_case_stage_durations",
        "update {t} set left_at = entered_at - interval 1 day where {row}",
        "fct_case_stage_durations_stay_ends_after_it_starts",
        pick="left_at is not null",
    ),
    "unknown kept-rate dimension": Break(
        "fct_promise_kept_rates",
        "update {t} set dimension = 'region' where {row}",
        "accepted_values_fct_promise_kept_rates_dimension",
    ),
    "referral before the case opened": Break(
        "fct_litigation_referrals",
        "update {t} set referred_at = opened_at - interval 1 hour where {row}",
        "fct_litigation_referrals_referral_comes_after_the_opening",
    ),
    "message counted as a right-party contact": Break(
        "fct_channel_effectiveness",
        "update {t} set right_party_contacts = contacts where {row}",
        "fct_channel_effectiveness_rpcs_are_calls_among_the_contacts",
        pick="channel <> 'call'",
        also=("assert_channel_effectiveness_ties_to_contacts",),  # the month's RPCs differ
    ),
    "duplicated case": Break("dim_cases", INSERT_COPY, "unique_dim_cases_case_id"),
    "unknown close reason, only a warning": Break(
        "dim_cases",
        "update {t} set close_reason = 'bankrupt' where {row}",
        "accepted_values_dim_cases_close_reason",
        pick="not is_open",
        status="warn",
    ),
    "unverifiable rule id in the summary": Break(
        "fct_compliance_summary",
        "update {t} set rule_id = rule_id || '-UNKNOWN-TZ' where {row}",
        "fct_compliance_summary_counts_unverifiable_under_base_rule",
    ),
}


@pytest.fixture(scope="module")
def broken_marts(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dbt test` on the broken marts of a copy of the sample (every break applied, one dbt
    run): each test's result by name (status, failures)."""
    work_dir = tmp_path_factory.mktemp("broken_marts")
    warehouse = work_dir / sample_build.settings.warehouse.name  # the same catalog name
    shutil.copyfile(sample_build.settings.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for case in BREAKS.values():
            t = f"marts.{case.mart}"
            [(rowid,)] = con.execute(f"select min(rowid) from {t} where {case.pick}").fetchall()
            assert rowid is not None, f"no row of {t} where {case.pick}"
            con.execute(case.change.format(t=t, row=f"rowid = {rowid}"))
    marts = sorted({case.mart for case in BREAKS.values()})
    selection = ["--select", *marts, "--exclude", "test_type:unit"]
    variables = dbt_vars(as_of=SAMPLE_AS_OF.isoformat())
    run_dbt(["test", *selection, "--vars", variables], warehouse, work_dir)
    results = json.loads((work_dir / "target" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in results
        if r["unique_id"].startswith("test.")
    }


def _named(results: dict, prefix: str) -> str:
    [name] = [n for n in results if n.startswith(prefix)]
    return name


@pytest.mark.parametrize("case", list(BREAKS.values()), ids=list(BREAKS))
def test_a_broken_mart_fails_the_dbt_test_stating_the_rule(broken_marts: dict, case: Break) -> None:
    status, failures = broken_marts[_named(broken_marts, case.fails)]
    assert (status, failures) == (case.status, 1)


def test_no_other_test_of_the_broken_marts_fails(broken_marts: dict) -> None:
    expected = {_named(broken_marts, case.fails) for case in BREAKS.values()}
    expected |= {name for case in BREAKS.values() for name in case.also}
    failing = {name for name, (status, _) in broken_marts.items() if status != "pass"}
    assert failing == expected
    assert len(broken_marts) > 3 * len(BREAKS), "the marts' other tests ran and passed"
