"""`amicable build --warehouse spark:DIR` on the tiny sample (issue 16, "Spark for the marts"):
the session's Spark build (tests/spark/conftest.py) ingests the landing zone into its own
DuckDB file, writes the raw layer as Parquet and registers it on a local Spark session
(dbt-spark's `session` method, profiles.yml's `spark` output), builds every model with
`dbt run --full-refresh` and runs the data tests, judged by level as on DuckDB
(orchestration/spark_build.py). Every staging, intermediate and mart table equals DuckDB's
row for row, as `amicable compare-engines --spark` compares them (`amicable.engine_compare`,
Spark's tables read from their Parquet files: `orchestration.engines.spark_engine`), and every
data test passes or warns exactly where it does on DuckDB.

The ingestion's idempotency and the command's refusals need no Spark session and run
wherever the project is installed."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from amicable.engine_compare import compare
from amicable.settings import Settings
from amicable.warehouse_ref import SparkWarehouse, WarehouseError, warehouse_ref
from orchestration.build import run_build
from orchestration.engines import duckdb_engine, spark_engine
from orchestration.pg_build import PgBuildOutcome
from orchestration.spark_build import (
    INGEST_DB,
    MODELS_BUILT,
    ingest,
    parquet_rows,
    remove_work_tables,
    spark_refresh_reason,
    tables_root,
)
from tests.conftest import SampleBuild, copy_build
from tests.orchestration.test_killed_build import NEXT_NIGHT
from tests.orchestration.test_killed_build import _write_next_night as write_next_night
from tests.spark.conftest import SparkBuild, build_on_spark_cli


def test_amicable_build_on_spark_tests_as_duckdb_judges(
    sample_build: SampleBuild, spark_build: SparkBuild
) -> None:
    report = f"{spark_build.stdout}\n{spark_build.stderr[-3000:]}"
    assert spark_build.code == 0, report
    assert spark_build.stdout.rstrip().endswith("build succeeded"), report
    for step in ("raw layer written as Parquet", "raw layer registered on Spark"):
        assert step in spark_build.stderr, report
    building = "dbt on Spark: building the models (full refresh: first build of this warehouse)"
    assert building in spark_build.stderr
    assert "dbt on Spark: running the data tests" in spark_build.stderr
    duckdb = [c for c in sample_build.outcome.checks if c.from_dbt]
    passed = sum(c.status == "pass" for c in duckdb)
    warned = {f"WARN {c.check} on {c.asset}" for c in duckdb if c.status == "warn"}
    assert passed > 300 and not any(c.status == "fail" for c in duckdb)
    summary = f"dbt tests: {passed} passed, {len(warned)} warned, 0 blocking"
    assert summary in spark_build.stdout, report
    flagged = set(re.findall(r"^  (WARN .+ on \S+)$", spark_build.stdout, re.MULTILINE))
    assert flagged == warned, report
    total = sample_build.outcome.quarantine_total
    assert f"quarantined by this run ({total} line(s)" in spark_build.stdout, report


def test_tiny_sample_on_spark_equals_duckdb(
    sample_build: SampleBuild, spark_build: SparkBuild
) -> None:
    assert spark_build.code == 0, spark_build.stdout
    results = spark_build.compared  # taken by the fixture, before the next night
    assert [f"{r.table}: {r.difference}" for r in results if not r.equal] == []
    with duckdb_engine(sample_build.settings.warehouse).open() as reader:
        assert {r.table for r in results} == set(reader.tables())
    # a failing row-level test's share is counted on the table's Parquet files
    (rows,) = sample_build.query("select count(*) from marts.fct_ar_ageing")[0]
    assert spark_build.ageing_rows == rows
    assert parquet_rows(spark_build.directory, "intermediate/int_finance_open_items") is None


def test_spark_ingestion_keeps_its_raw_layer_and_loads_a_file_once(
    sample_build: SampleBuild, tmp_path: Path
) -> None:
    """Needs no Spark session: the ingestion into the Spark directory's DuckDB file."""
    warehouse = SparkWarehouse(tmp_path / "spark")
    settings = Settings(landing=sample_build.settings.landing, warehouse=warehouse.directory)
    first = PgBuildOutcome()
    ingest(settings, warehouse, "batch-1", first)
    duckdb_sources = {s.source_table: s for s in sample_build.outcome.sources}
    assert {s.source_table: s for s in first.sources} == duckdb_sources
    assert first.quarantine_total == sample_build.outcome.quarantine_total
    raw = {s: raw_parquet_rows(warehouse, s) for s in duckdb_sources}
    second = PgBuildOutcome()
    ingest(settings, warehouse, "batch-2", second)
    assert sum(s.rows_loaded for s in second.sources) == 0
    assert second.quarantine_total == 0
    assert (warehouse.directory / INGEST_DB).is_file()
    for source, line in duckdb_sources.items():  # the Parquet still holds every loaded row
        assert raw_parquet_rows(warehouse, source) == raw[source]
        assert raw[source] == line.rows_loaded


def raw_parquet_rows(warehouse: SparkWarehouse, table: str) -> int:
    with duckdb.connect() as con:
        files = warehouse.directory / "raw" / table / "*.parquet"
        return con.execute(f"select count(*) from read_parquet('{files}')").fetchone()[0]


def test_a_spark_warehouse_is_named_spark_dir_and_only_built(tmp_path: Path) -> None:
    assert warehouse_ref("spark:data/spark", spark=True) == SparkWarehouse(Path("data/spark"))
    assert str(SparkWarehouse(Path("data/spark"))) == "spark:data/spark"
    with pytest.raises(WarehouseError, match="expected spark:DIR"):
        warehouse_ref("spark://cluster:7077", spark=True)
    with pytest.raises(WarehouseError, match="a Spark warehouse is built .* not read"):
        warehouse_ref("spark:data/spark")  # the dashboard's AMICABLE_WAREHOUSE, `serve`


def test_without_java_building_on_spark_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyspark")  # without pyspark the line names pyspark instead
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    (tmp_path / "landing").mkdir()
    spark_dir = tmp_path / "spark"
    args = ["build", "--landing", str(tmp_path / "landing"), "--warehouse", f"spark:{spark_dir}"]
    assert main(args) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        f"amicable: error: warehouse spark:{spark_dir}: Spark cannot start here: no Java runtime"
        " (java on PATH or JAVA_HOME); Spark 4 needs Java 17 or later"
    )
    assert not spark_dir.exists()


def test_spark_refresh_reason_continues_only_a_build_whose_models_all_built(
    tmp_path: Path,
) -> None:
    """Needs no Spark session: when a Spark build may be incremental (`MODELS_BUILT`)."""
    spark_dir = tmp_path / "spark"
    settings = Settings(landing=tmp_path, warehouse=spark_dir, as_of=date(2026, 11, 21))
    first = "first build of this warehouse"
    assert spark_refresh_reason(spark_dir, "f1", settings) == first
    (tables_root(spark_dir) / "raw.db").mkdir(parents=True)  # the raw layer registered
    assert spark_refresh_reason(spark_dir, "f1", settings) == first
    (tables_root(spark_dir) / "marts.db").mkdir()  # models written, models_built.json not
    stopped = "the last build's models did not all build"
    assert spark_refresh_reason(spark_dir, "f1", settings) == stopped
    state = {"build_fingerprint": "f1", "as_of_date": "2026-11-20"}
    (spark_dir / MODELS_BUILT).write_text(json.dumps(state), encoding="utf-8")
    assert spark_refresh_reason(spark_dir, "f1", settings) == ""
    changed = "the models or the settings changed since the last build"
    assert spark_refresh_reason(spark_dir, "f2", settings) == changed
    earlier = replace(settings, as_of=date(2026, 11, 19))
    assert spark_refresh_reason(spark_dir, "f1", earlier).startswith("the as-of date 2026-11-19")
    asked = replace(settings, full_refresh=True)
    assert spark_refresh_reason(spark_dir, "f1", asked) == "asked for (--full-refresh)"
    (spark_dir / MODELS_BUILT).write_text('{"build_fingerprint": "f1", "as_of', encoding="utf-8")
    assert spark_refresh_reason(spark_dir, "f1", settings) == stopped  # cut short: not trusted


def test_a_stopped_builds_work_table_folders_are_removed(tmp_path: Path) -> None:
    """Needs no Spark session: the folders of the incremental models' work tables go, the
    tables' own stay."""
    marts = tables_root(tmp_path) / "marts.db"
    names = ["fct_ar_ageing", "fct_ar_ageing__dbt_new", "fct_ar_ageing__dbt_kept"]
    for name in [*names, "fct_case_file__dbt_batch"]:
        (marts / name).mkdir(parents=True)
        (marts / name / "part-0.parquet").write_bytes(b"")
    remove_work_tables(tmp_path)
    assert sorted(p.name for p in marts.iterdir()) == ["fct_ar_ageing"]


def test_the_next_night_built_on_spark_equals_duckdbs(
    sample_build: SampleBuild, spark_build: SparkBuild, tmp_path: Path
) -> None:
    """The next night (re-sent events and calls, late invoice corrections restating a year of
    ageing: test_killed_build's) built incrementally on the session's Spark build equals a
    DuckDB daily build of the same files on a copy of the session's DuckDB build, every table
    row for row. Last in this file: it builds on in the session's Spark directory."""
    assert spark_build.code == 0, spark_build.stdout
    reference = copy_build(sample_build, tmp_path)
    landing = tmp_path / "landing"
    write_next_night(sample_build, landing)
    assert run_build(Settings(landing=landing, warehouse=reference, as_of=NEXT_NIGHT)).ok
    config = sample_build.settings.config
    daily = build_on_spark_cli(landing, spark_build.directory, NEXT_NIGHT, config)
    report = f"{daily.stdout}\n{daily.stderr[-3000:]}"
    assert daily.code == 0, report
    assert "dbt on Spark: building the models (incremental)" in daily.stderr, report
    assert daily.stdout.rstrip().endswith("build succeeded"), report
    results = compare(duckdb_engine(reference), spark_engine(spark_build.directory))
    assert [f"{r.table}: {r.difference}" for r in results if not r.equal] == []
    tables = tables_root(spark_build.directory)
    assert not [p.name for p in tables.glob("*.db/*__dbt_*")], "work tables left behind"
    state = json.loads((spark_build.directory / MODELS_BUILT).read_text(encoding="utf-8"))
    assert state["as_of_date"] == NEXT_NIGHT.isoformat()
