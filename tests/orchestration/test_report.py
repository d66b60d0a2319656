"""What `amicable build` prints at its end (`orchestration.report.format_outcome`), and where
each warehouse's run files go (`amicable.settings.run_files_dir`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from amicable.settings import Settings, run_files_dir
from orchestration.build import BuildOutcome, SourceLine
from orchestration.publish import rejected_path, slot_paths
from orchestration.report import format_outcome


def _settings(tmp_path: Path, name: str) -> Settings:
    return Settings(tmp_path / "landing", tmp_path / name, as_of=date(2026, 1, 31))


def test_a_failed_step_says_the_build_is_not_published_and_where_it_is_kept(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, "w.duckdb")
    rejected = rejected_path(settings.warehouse)
    outcome = BuildOutcome(
        run_success=False,
        sources=[SourceLine("erp_invoices", 3, 2, 1, 0)],
        failed_steps=["dbt_models"],
        skipped_steps=["alerts"],
        errors=["dbt_models: dbt run failed (see the dbt log)"],
        rejected=rejected,
    )
    lines = format_outcome(outcome, settings).splitlines()
    assert "failed steps: dbt_models" in lines
    assert "  dbt_models: dbt run failed (see the dbt log)" in lines
    assert "skipped (upstream failed): alerts" in lines
    assert f"dbt log: {tmp_path / 'logs' / 'w' / 'last_build.log'}" in lines
    assert lines[-1] == (
        "build NOT PUBLISHED (a step failed): the dashboard keeps the previous build; "
        f"this build is kept for the investigation at {rejected}"
    )
    assert "build succeeded and published" not in lines


def test_a_published_build_says_so() -> None:
    outcome = BuildOutcome(run_success=True)
    settings = Settings(Path("landing"), Path("w.duckdb"))
    assert format_outcome(outcome, settings).splitlines()[-1] == "build succeeded and published"


def test_two_warehouses_in_one_folder_have_their_own_run_files(tmp_path: Path) -> None:
    """Issue 20, item 6: two warehouses in one folder shared `logs/last_build.log`."""
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    assert run_files_dir(one) == tmp_path / "logs" / "one"
    assert run_files_dir(two) == tmp_path / "logs" / "two"
    # the slot a build writes and a build kept apart are the same warehouse's
    for copy in (*slot_paths(one), rejected_path(one)):
        assert run_files_dir(copy) == run_files_dir(one)
    printed = [
        format_outcome(BuildOutcome(run_success=True), _settings(tmp_path, w.name))
        for w in (one, two)
    ]
    assert f"dbt log: {run_files_dir(one) / 'last_build.log'}" in printed[0]
    assert f"dbt log: {run_files_dir(two) / 'last_build.log'}" in printed[1]
