"""The tiny sample built on Apache Spark gives the same tables as on DuckDB (issue 16, "Spark
for the marts", first slice): the raw layer of the session's DuckDB build written as Parquet
and registered on a local Spark session (dbt-spark's `session` method, profiles.yml's `spark`
output), `dbt run --full-refresh` there (orchestration/spark_build.py), then every staging,
intermediate and mart table compared row for row with DuckDB's
(tests/spark/compare_with_spark.py: decimals exactly, doubles to 9 places, build-lineage
columns left out).

What does not build or differs yet is listed here, each with its reason, and asserted exactly:
a model that starts building (or agreeing) fails the test until it leaves the list, so the
list stays true (docs/spark_progress.md keeps it in prose).

Skipped, with the reason, where a Spark session cannot start (no Java or no pyspark)."""

from __future__ import annotations

import pytest

from orchestration.spark_build import build_on_spark, java_missing, values_of
from tests.conftest import SampleBuild
from tests.postgres.compare_with_duckdb import model_tables
from tests.spark.compare_with_spark import differences

# Models dbt does not build on Spark yet -> why (docs/spark_progress.md).
KNOWN_FAILING: dict[str, str] = {}
# Tables that differ from DuckDB's -> the columns that differ (none now: docs/spark_progress.md
# says which engine differences the spark__ macros and the session's settings close).
KNOWN_DIFFERENCES: dict[str, list[str]] = {}


@pytest.fixture(scope="module")
def spark_build(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory):
    reason = java_missing()
    if reason:
        pytest.skip(f"Spark cannot start here: {reason}")
    warehouse = sample_build.settings.warehouse
    values = values_of(warehouse, sample_build.settings.config)
    spark_dir = tmp_path_factory.mktemp("spark")
    dbt, code, output = build_on_spark(warehouse, spark_dir, values)
    return spark_dir, dbt.results(), code, output


def test_tiny_sample_models_build_on_spark(spark_build) -> None:
    _spark_dir, statuses, code, output = spark_build
    assert statuses, f"dbt ran no model on Spark (exit {code}):\n{output[-3000:]}"
    failing = {
        unique_id.removeprefix("model.amicable."): status
        for unique_id, status in statuses.items()
        if status != "success"
    }
    assert failing.keys() == KNOWN_FAILING.keys(), output[-3000:]
    assert (code == 0) == (not failing)


def test_tiny_sample_on_spark_equals_duckdb(sample_build: SampleBuild, spark_build) -> None:
    spark_dir = spark_build[0]
    warehouse = sample_build.settings.warehouse
    differing, identical = differences(warehouse, spark_dir)
    not_built = {f"{s}.{m}" for s in ("staging", "intermediate", "marts") for m in KNOWN_FAILING}
    expected = KNOWN_DIFFERENCES | {
        name: ["(not built on Spark)"] for name in differing if name in not_built
    }
    assert differing == expected
    assert identical + len(differing) == model_tables(warehouse)
