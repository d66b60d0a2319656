"""`benchmarks/scale_queries.py` calls every dashboard query as its page first does: a query
added to `dashboards.queries` without a call there would stop `benchmarks/scale.py` after a
large build, so the calls are checked here on the sample warehouse."""

from __future__ import annotations

import pytest

from tests.benchmarks.scripts import import_benchmark
from tests.conftest import SampleBuild


@pytest.fixture(scope="module")
def scale_queries():
    return import_benchmark("scale_queries")


def test_every_dashboard_query_has_a_call_that_runs(scale_queries, sample_build: SampleBuild):
    functions = scale_queries.query_functions()
    assert functions, "no query function found in dashboards.queries"
    seconds = scale_queries.time_queries(sample_build.settings.warehouse, runs=1)
    assert set(seconds) == set(functions) | {scale_queries.CONNECTION}
    assert all(len(times) == 1 and times[0] > 0 for times in seconds.values())
