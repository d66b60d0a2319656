"""The session's tiny sample built once on Apache Spark by `amicable build --warehouse
spark:DIR`, in a process of its own as a user runs it, for every test of tests/spark (a Spark
build of the tiny sample takes minutes on this machine: one build serves them all).

Skipped, with the reason, where a Spark session cannot start (no Java or no pyspark), unless
AMICABLE_REQUIRE_SPARK=1 (CI), which makes it fail instead."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from amicable.engine_compare import TableResult, compare
from amicable.settings import HOME_ENV
from orchestration.engines import duckdb_engine, spark_engine
from orchestration.spark_build import java_missing, parquet_rows
from tests.conftest import SampleBuild


@dataclass
class SparkBuild:
    """`amicable build --warehouse spark:DIR` of the session's tiny sample: its Spark
    directory, exit code, printed outcome (stdout) and progress lines (stderr)."""

    directory: Path
    code: int
    stdout: str
    stderr: str
    # taken right after the session's build, before the next night's test builds on:
    compared: list[TableResult] = field(default_factory=list)  # against the DuckDB sample
    ageing_rows: int | None = None  # marts.fct_ar_ageing's rows in its Parquet files


def require_spark() -> None:
    reason = java_missing()
    if reason and os.environ.get("AMICABLE_REQUIRE_SPARK") == "1":
        pytest.fail(f"Spark cannot start here: {reason} (AMICABLE_REQUIRE_SPARK=1)")
    if reason:
        pytest.skip(f"Spark cannot start here: {reason}")


@pytest.fixture(scope="session")
def spark_build(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory) -> SparkBuild:
    """The session's Spark build, compared with the DuckDB sample build at once: the next night's
    test builds on in the same directory (a Spark catalog names its tables' files by absolute
    path, so the directory cannot be copied)."""
    require_spark()
    settings = sample_build.settings
    root = tmp_path_factory.mktemp("spark_build")
    built = build_on_spark_cli(settings.landing, root / "spark", settings.as_of, settings.config)
    if built.code == 0:
        built.compared = compare(duckdb_engine(settings.warehouse), spark_engine(built.directory))
        built.ageing_rows = parquet_rows(built.directory, "marts/fct_ar_ageing")
    return built


def build_on_spark_cli(landing: Path, spark_dir: Path, as_of: date, config: Path) -> SparkBuild:
    """`amicable build --warehouse spark:DIR` of `landing` in a process of its own, its data
    directory beside `spark_dir`."""
    command = [sys.executable, "-m", "amicable.cli", "build", "--landing", str(landing)]
    command += ["--warehouse", f"spark:{spark_dir}", "--as-of", as_of.isoformat()]
    command += ["--config", str(config)]
    env = {**os.environ, HOME_ENV: str(spark_dir.parent / "data")}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    return SparkBuild(spark_dir, done.returncode, done.stdout, done.stderr)
