"""A case file is read from one build: when the build changes while it is read (a PostgreSQL
warehouse publishes between two statements), it is read again, and refused in one line when
builds keep changing (`amicable.case_file.load`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import duckdb
import pytest

from amicable.case_file import CaseFileError, load_case_file
from amicable.case_file import load as case_file_load
from tests.conftest import SampleBuild


def _case(sample_build: SampleBuild) -> str:
    return sample_build.query("select case_id from marts.dim_cases order by case_id limit 1")[0][0]


def _runs(monkeypatch: pytest.MonkeyPatch, run_ids: Iterator[str]) -> list[str]:
    """`_build_run` answers the next of `run_ids` at each call; the answers given."""
    given: list[str] = []
    real = case_file_load._build_run

    def build_run(con: duckdb.DuckDBPyConnection) -> tuple[str | None, object]:
        _, built_at = real(con)
        given.append(next(run_ids))
        return given[-1], built_at

    monkeypatch.setattr(case_file_load, "_build_run", build_run)
    return given


def test_a_build_published_while_a_case_file_is_read_makes_it_read_again(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = _runs(monkeypatch, iter(["build-1", "build-2", "build-2", "build-2"]))
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        case_file = load_case_file(con, _case(sample_build))
    assert given == ["build-1", "build-2", "build-2", "build-2"]  # read, changed, read, same
    assert case_file.provenance.build_run_id == "build-2"
    assert case_file.reconciliation.ok


def test_builds_that_keep_changing_refuse_the_case_file_in_one_line(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    _runs(monkeypatch, (f"build-{n}" for n in itertools.count()))
    case = _case(sample_build)
    with (
        duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con,
        pytest.raises(CaseFileError) as refused,
    ):
        load_case_file(con, case)
    assert str(refused.value) == (
        f"case {case}: the warehouse was published again while its file was read, "
        f"{case_file_load.READS} times: retry"
    )
