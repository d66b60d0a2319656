"""The tiny sample built on Apache Spark gives the same tables as on DuckDB (issue 16, "Spark
for the marts", first slice): the raw layer of the session's DuckDB build written as Parquet
and registered on a local Spark session (dbt-spark's `session` method, profiles.yml's `spark`
output), `dbt run --full-refresh` there (orchestration/spark_build.py), then every staging,
intermediate and mart table compared row for row with DuckDB's, as `amicable compare-engines
--spark` compares them (`amicable.engine_compare`, Spark's tables read from their Parquet
files: `orchestration.engines.spark_engine`).

What does not build or differs yet is listed here, each with its reason, and asserted exactly:
a model that starts building (or agreeing) fails the test until it leaves the list, so the
list stays true (docs/spark_progress.md keeps it in prose).

Skipped, with the reason, where a Spark session cannot start (no Java or no pyspark)."""

from __future__ import annotations

import os

import pytest

from amicable.engine_compare import Sample, build, compare
from orchestration.engines import duckdb_engine, spark_engine
from orchestration.spark_build import SparkDbt, java_missing
from tests.conftest import SampleBuild

# Models dbt does not build on Spark yet -> why (docs/spark_progress.md).
KNOWN_FAILING: dict[str, str] = {}
# Tables that differ from DuckDB's -> why (none now: docs/spark_progress.md says which engine
# differences the spark__ macros and the session's settings close).
KNOWN_DIFFERENCES: dict[str, str] = {}


@pytest.fixture(scope="module")
def spark_build(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory):
    reason = java_missing()
    if reason and os.environ.get("AMICABLE_REQUIRE_SPARK") == "1":
        pytest.fail(f"Spark cannot start here: {reason} (AMICABLE_REQUIRE_SPARK=1)")
    if reason:
        pytest.skip(f"Spark cannot start here: {reason}")
    settings = sample_build.settings
    spark_dir = tmp_path_factory.mktemp("spark")
    # the build `amicable compare-engines --spark` runs, from the session's DuckDB build
    built = build(
        spark_engine(spark_dir, settings.warehouse),
        Sample(settings.landing, settings.as_of, settings.config),
    )
    return spark_dir, SparkDbt(spark_dir, spark_dir / "dbt").results(), built


def test_tiny_sample_models_build_on_spark(spark_build) -> None:
    _spark_dir, statuses, built = spark_build
    assert statuses, f"dbt ran no model on Spark:\n{built.report}"
    failing = {
        unique_id.removeprefix("model.amicable."): status
        for unique_id, status in statuses.items()
        if status != "success"
    }
    assert failing.keys() == KNOWN_FAILING.keys(), built.report
    assert built.ok == (not failing), built.report
    built_count = len(statuses) - len(failing)
    assert f"{built_count} of {len(statuses)} nodes succeeded on Spark" in built.report


def test_tiny_sample_on_spark_equals_duckdb(sample_build: SampleBuild, spark_build) -> None:
    spark_dir = spark_build[0]
    warehouse = sample_build.settings.warehouse
    duckdb, spark = duckdb_engine(warehouse), spark_engine(spark_dir, warehouse)
    results = compare(duckdb, spark)
    lines = "\n".join(f"{r.table}: {r.difference}" for r in results if not r.equal)
    differing = {r.table for r in results if not r.equal}
    not_built = {f"{s}.{m}" for s in ("staging", "intermediate", "marts") for m in KNOWN_FAILING}
    assert differing == set(KNOWN_DIFFERENCES) | (not_built & differing), lines
    with duckdb.open() as reader:
        assert {r.table for r in results} == set(reader.tables())
