"""dbt's artifacts read into check records and a one-line failure summary."""

from __future__ import annotations

from orchestration.dbt_results import check_records, failure_summary

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
    assert (soft.asset, soft.status, soft.blocking) == ("marts/fct_x", "warn", False)


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
