"""`benchmarks/query_ab.py` times a commit's statements against this checkout's by pointing the
query layer at another folder of statements: that each call reads the folder it is given (else
both versions would time the same statement and the ratio would say nothing)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from dashboards import queries
from dashboards.queries import core
from tests.benchmarks.scripts import import_benchmark
from tests.conftest import SampleBuild


@pytest.fixture(scope="module")
def query_ab():
    statements = core.SQL_DIR
    yield import_benchmark("query_ab")
    core.SQL_DIR = statements  # the query layer reads its own statements again
    core.sql_text.cache_clear()


def test_each_version_reads_its_own_statements(
    query_ab, sample_build: SampleBuild, tmp_path: Path
) -> None:
    warehouse = sample_build.settings.warehouse
    this_dir = core.SQL_DIR
    other = tmp_path / "other"
    other.mkdir()
    (other / "case_file_cases.sql").write_text("select 'not a case' as case_id\n")
    call = partial(queries.case_file_cases, warehouse)

    _, changed = query_ab.timed(query_ab.with_statements(other, call))
    _, real = query_ab.timed(query_ab.with_statements(this_dir, call))

    assert list(changed["case_id"]) == ["not a case"]
    assert len(real) > 1 and "not a case" not in set(real["case_id"])
    assert query_ab.same_frame(real, real) == "yes"
    assert query_ab.same_frame(real, changed).startswith("**no**")
