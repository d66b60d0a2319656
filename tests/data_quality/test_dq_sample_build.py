"""On the clean sample build, every data-quality check passes and is recorded."""

from __future__ import annotations

from data_quality.report import report_path
from ingestion.contracts import SOURCES
from orchestration.report import format_outcome
from tests.conftest import SampleBuild


def test_every_quality_check_of_the_sample_build_passes_and_is_recorded(
    sample_build: SampleBuild,
) -> None:
    """Every suite and SQL check, and every dbt data test, has one `pass` row of the run."""
    quality = [c for c in sample_build.outcome.checks if not c.from_dbt]
    assert len(quality) >= 30 and all(c.passed for c in quality)
    rows = sample_build.query(
        "select check_name, asset, status, failing_count, failing_keys,"
        " description like 'dbt test%' from quality.check_results"
    )
    suites = [row for row in rows if not row[5]]
    assert {(name, asset) for name, asset, *_ in suites} == {(c.check, c.asset) for c in quality}
    assert len(suites) == len(quality), "one row per evaluation"
    dbt_tests = {(name, asset) for name, asset, *_, is_dbt in rows if is_dbt}
    dbt_checks = {(c.check, c.asset) for c in sample_build.outcome.checks if c.from_dbt}
    assert dbt_checks <= dbt_tests and len(dbt_tests) > 100
    assert {(status, count, keys) for _, _, status, count, keys, _ in rows} == {("pass", 0, "[]")}
    (runs,) = sample_build.query("select count(distinct run_id) from quality.check_results")[0]
    assert runs == 1


def test_every_source_of_the_sample_is_fresh_at_its_as_of_date(sample_build: SampleBuild) -> None:
    rows = sample_build.query(
        "select source_table, as_of_date, status, age_hours <= cadence_hours"
        " from quality.source_freshness"
    )
    assert {r[0] for r in rows} == {s.name for s in SOURCES}
    assert {r[1:] for r in rows} == {(sample_build.settings.as_of, "fresh", True)}


def test_the_build_writes_the_quality_report_and_prints_its_path(sample_build: SampleBuild) -> None:
    path = report_path(sample_build.settings.warehouse)
    assert sample_build.outcome.report == path and path.is_file()
    html = path.read_text(encoding="utf-8")
    for check in (c for c in sample_build.outcome.checks if not c.from_dbt):
        assert f'<tr class="pass"><td>PASS</td><td>{check.check}</td><td>{check.asset}</td>' in html
    printed = format_outcome(sample_build.outcome, sample_build.settings)
    assert printed.splitlines()[-2] == f"quality report: {path}"
