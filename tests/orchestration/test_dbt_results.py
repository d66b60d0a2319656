"""dbt's artifacts read into check records and a one-line failure summary."""

from __future__ import annotations

import json

import pytest

from data_quality.policy import LEVEL_REASONS
from orchestration.dbt_assets import ensure_manifest
from orchestration.dbt_results import check_records, dbt_test_level, failure_summary

MANIFEST = {
    "nodes": {
        "model.amicable.fct_x": {"resource_type": "model", "name": "fct_x", "schema": "marts"},
        "test.amicable.unique_fct_x_id": {
            "resource_type": "test",
            "name": "unique_fct_x_id",
            "attached_node": "model.amicable.fct_x",
            "depends_on": {"nodes": ["model.amicable.fct_x"]},
            "config": {"severity": "ERROR"},
            "original_file_path": "models/marts/_x.yml",
        },
        "test.amicable.assert_soft": {
            "resource_type": "test",
            "name": "assert_soft",
            "depends_on": {"nodes": ["model.amicable.fct_x"]},
            "config": {"severity": "warn"},
        },
    },
    "unit_tests": {
        "unit_test.amicable.fct_x.adds_up": {"resource_type": "unit_test", "name": "adds_up"}
    },
}


def results(*rows: tuple[str, str, int | None, str]) -> dict:
    return {
        "results": [
            {"unique_id": uid, "status": status, "failures": failures, "message": message}
            for uid, status, failures, message in rows
        ]
    }


def test_each_data_test_becomes_a_record_with_its_model_status_and_failing_count() -> None:
    run = results(
        ("model.amicable.fct_x", "success", None, "OK"),
        ("test.amicable.unique_fct_x_id", "fail", 2, "Got 2 results"),
        ("test.amicable.assert_soft", "warn", 1, "Got 1 result"),
        ("unit_test.amicable.fct_x.adds_up", "pass", 0, ""),
    )
    records = {r.check_name: r for r in check_records(run, MANIFEST)}
    assert set(records) == {"unique_fct_x_id", "assert_soft"}
    unique = records["unique_fct_x_id"]
    assert (unique.asset, unique.status, unique.blocking, unique.failing_count) == (
        "marts/fct_x",
        "fail",
        True,
        2,
    )
    assert unique.details == [{"dbt": "fail", "message": "Got 2 results"}]
    soft = records["assert_soft"]
    assert (soft.asset, soft.status, soft.blocking) == ("marts/fct_x", "warn", True)


def test_a_skipped_test_is_recorded_as_skipped() -> None:
    run = results(("test.amicable.unique_fct_x_id", "skipped", None, ""))
    (record,) = check_records(run, MANIFEST)
    assert (record.status, record.failing_count) == ("skipped", 0)


def test_the_failure_summary_names_errored_models_and_failed_tests_in_one_line() -> None:
    run = results(
        ("model.amicable.fct_x", "error", None, "Binder Error: column y not found\nLINE 3"),
        ("test.amicable.unique_fct_x_id", "fail", 2, "Got 2 results"),
        ("unit_test.amicable.fct_x.adds_up", "fail", None, "actual differs"),
        ("test.amicable.assert_soft", "warn", 1, ""),
    )
    assert failure_summary(run, MANIFEST) == (
        "dbt failed: 1 model(s) errored (fct_x: Binder Error: column y not found); "
        "1 test(s) failed (unique_fct_x_id); 1 unit test(s) failed (adds_up)"
    )


def test_a_singular_test_belongs_to_the_model_its_meta_names() -> None:
    manifest = {
        "nodes": {
            **MANIFEST["nodes"],
            "model.amicable.fct_y": {"resource_type": "model", "name": "fct_y", "schema": "marts"},
            "test.amicable.assert_ties": {
                "resource_type": "test",
                "name": "assert_ties",
                "depends_on": {"nodes": ["model.amicable.fct_x", "model.amicable.fct_y"]},
                "config": {"severity": "ERROR", "meta": {"dagster": {"ref": {"name": "fct_y"}}}},
            },
        }
    }
    (record,) = check_records(results(("test.amicable.assert_ties", "pass", 0, "")), manifest)
    assert record.asset == "marts/fct_y"


def _row_level(level: str | None = None) -> dict:
    """MANIFEST with `assert_soft` (severity warn) at `level` (None: undeclared, so row)."""
    meta = {"meta": {"level": level}} if level else {}
    soft = {**MANIFEST["nodes"]["test.amicable.assert_soft"], "original_file_path": "t.sql"}
    soft["config"] = {"severity": "warn", **meta}
    return {**MANIFEST, "nodes": {**MANIFEST["nodes"], "test.amicable.assert_soft": soft}}


@pytest.mark.parametrize(
    ("failing", "rows", "status", "why"),
    [
        (2, 1000, "warn", "[2 of 1,000 rows (0.2 %; blocks above 1 %)]"),
        (11, 1000, "fail", "[11 of 1,000 rows (1.1 %; blocks above 1 %)]"),
        (1, None, "warn", "[1 row(s)]"),
    ],
)
def test_a_row_level_dbt_test_blocks_above_the_share_of_the_tested_models_rows(
    failing: int, rows: int | None, status: str, why: str
) -> None:
    """A warn-severity test is row-level: like a row-level SQL check, it flags its rows and
    blocks publication when they are more than the share of the rows of the model it tests."""
    asked: list[str] = []

    def row_counts(asset: str) -> int | None:
        asked.append(asset)
        return rows

    run = results(("test.amicable.assert_soft", "warn", failing, ""))
    (record,) = check_records(run, _row_level(), 0.01, row_counts)
    assert asked == ["marts/fct_x"]
    assert (record.status, record.blocking, record.failing_count) == (status, True, failing)
    assert record.description == f"dbt test (t.sql, row): {LEVEL_REASONS['row']} {why}"


def test_a_warning_level_dbt_test_never_blocks_and_a_passing_one_counts_nothing() -> None:
    run = results(("test.amicable.assert_soft", "warn", 900, ""))
    (warning,) = check_records(run, _row_level("warning"), 0.01, lambda asset: 1000)
    assert (warning.status, warning.blocking) == ("warn", False)
    assert warning.description == "dbt test (t.sql, warning): worth a look, never blocks"
    passed = results(("test.amicable.assert_soft", "pass", 0, ""))
    (record,) = check_records(passed, _row_level(), 0.01, lambda asset: pytest.fail(asset))
    assert record.status == "pass"


def test_a_dbt_tests_record_says_why_from_its_yaml_description_else_from_its_level() -> None:
    """Its YAML description on one line (folded YAML ends in a newline), else what a failure
    at its level means."""
    manifest = _row_level("warning")
    soft = manifest["nodes"]["test.amicable.assert_soft"]
    soft["description"] = "A negative DSO hints at net credit notes\nexceeding sales.\n"
    run = results(
        ("test.amicable.assert_soft", "pass", 0, ""),
        ("test.amicable.unique_fct_x_id", "pass", 0, ""),
    )
    records = {r.check_name: r.description for r in check_records(run, manifest)}
    assert records == {
        "assert_soft": (
            "dbt test (t.sql, warning): A negative DSO hints at net credit notes exceeding sales"
        ),
        "unique_fct_x_id": (
            "dbt test (models/marts/_x.yml, blocking): a failure means the published figures as"
            " a whole would be wrong: it blocks"
        ),
    }


def test_a_level_that_contradicts_the_severity_is_refused_naming_the_test() -> None:
    blocking_but_warn = _row_level("blocking")["nodes"]["test.amicable.assert_soft"]
    with pytest.raises(ValueError, match=r"assert_soft \(t.sql\): level 'blocking' with severity"):
        dbt_test_level(blocking_but_warn)
    row_but_error = {**blocking_but_warn, "config": {"severity": "error", "meta": {"level": "row"}}}
    with pytest.raises(ValueError, match="blocking goes with error"):
        dbt_test_level(row_but_error)


def test_every_dbt_test_of_the_project_has_a_level_and_row_level_ones_count_rows() -> None:
    """The project's own tests: each level agrees with its severity, and a row-level
    accepted_values test counts failing rows (dbt counts distinct values otherwise)."""
    manifest = json.loads(ensure_manifest().read_text())
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    levels = {test["name"]: dbt_test_level(test) for test in tests}
    assert {"blocking", "row", "warning"} <= set(levels.values())
    for test in tests:
        macro = (test.get("test_metadata") or {}).get("name")
        if levels[test["name"]] == "row" and macro == "accepted_values":
            assert "n_records" in test["config"]["fail_calc"], test["name"]
    assert levels["int_finance_credit_sales_has_fx_rate_for_every_document"] == "row"
