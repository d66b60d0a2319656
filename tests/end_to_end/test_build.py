"""End to end: generate a small landing zone, build everything in-process, check the result."""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from amicable.settings import DASHBOARD_APP, Settings, run_files_dir
from ingestion.contracts import SOURCES
from orchestration.build import BuildOutcome, dagster_instance, run_build
from orchestration.definitions import build_definitions
from tests.conftest import SAMPLE_AS_OF as AS_OF
from tests.conftest import SampleBuild


def table_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('raw', 'staging', 'intermediate', 'marts')"
        ).fetchall()
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for (t,) in tables}


@dataclass
class Built:
    """The shared sample build, and a second build of a copy of its warehouse."""

    sample: SampleBuild
    second: BuildOutcome
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]

    @property
    def settings(self) -> Settings:
        return self.sample.settings

    @property
    def first(self) -> BuildOutcome:
        return self.sample.outcome

    @property
    def labels(self) -> list[dict]:
        return self.sample.labels("defects")


@pytest.fixture(scope="module")
def built(sample_build: SampleBuild, tmp_path_factory: pytest.TempPathFactory) -> Built:
    copy = tmp_path_factory.mktemp("rebuild") / "warehouse.duckdb"
    shutil.copyfile(sample_build.settings.warehouse, copy)
    again = dataclasses.replace(sample_build.settings, warehouse=copy)
    # The dashboard holds the warehouse open while the second build runs: the build must not
    # need the file's write lock (it builds a copy and publishes it when done).
    with duckdb.connect(str(copy), read_only=True) as reader:
        second = run_build(again)
        reader.execute("select count(*) from marts.fct_ar_ageing").fetchone()
    return Built(
        sample_build, second, table_counts(sample_build.settings.warehouse), table_counts(copy)
    )


def query(built: Built, sql: str, params: list | None = None) -> list[tuple]:
    return built.sample.query(sql, params)


def test_the_build_succeeds_and_every_check_passes(built: Built) -> None:
    assert built.first.failed_steps == []
    assert [c for c in built.first.checks if not c.passed] == []
    assert built.first.ok
    assert any(not c.from_dbt for c in built.first.checks), "data-quality suites ran"
    assert sum(c.from_dbt for c in built.first.checks) > 20, "dbt tests ran as asset checks"


def test_the_build_context_publishes_the_as_of_date_and_the_run(built: Built) -> None:
    """marts.dim_build: one row, read by the checks, the dashboard and the case file instead
    of re-deriving the date."""
    [(as_of, currency, run_id)] = built.sample.query(
        "select as_of_date, reporting_currency, run_id from marts.dim_build"
    )
    assert (as_of, currency) == (AS_OF, "EUR")
    [(latest_run,)] = built.sample.query(
        "select run_id from quality.check_results order by evaluated_at desc limit 1"
    )
    assert run_id == latest_run


def test_the_build_its_materialisations_and_checks_are_in_the_warehouse_s_dagster_instance(
    built: Built,
) -> None:
    """What `amicable dagster` shows: the CLI build's run, every asset it materialised and
    every check it evaluated, in the instance beside the warehouse (not a throwaway one)."""
    [(run_id,)] = built.sample.query("select run_id from marts.dim_build")
    with dagster_instance(built.settings.warehouse) as instance:
        [run] = instance.get_runs()
        materialised = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        evaluated = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert (run.run_id, run.job_name, run.status) == (run_id, "build", dg.DagsterRunStatus.SUCCESS)
    graph = build_definitions(built.settings).resolve_asset_graph()
    assert {e.asset_materialization.asset_key for e in materialised} == graph.get_all_asset_keys()
    checks = {
        (e.dagster_event.event_specific_data.asset_key.to_user_string(),
         e.dagster_event.event_specific_data.check_name)
        for e in evaluated
    }  # fmt: skip
    assert checks == {(c.asset, c.check) for c in built.first.checks}


def test_every_source_table_is_ingested(built: Built) -> None:
    loaded = {s.source_table: s.rows_loaded for s in built.first.sources}
    assert set(loaded) == {s.name for s in SOURCES}
    assert all(n > 0 for n in loaded.values()), loaded


def test_every_planted_defect_is_quarantined_and_nothing_else(built: Built) -> None:
    planted = {
        (d["table"], d["file"], d["row"])
        for d in built.labels
        if d["expect"] in ("quarantine", "reject_file")
    }
    caught = set(query(built, "select source_table, source_file, source_row from raw.quarantine"))
    assert caught == planted


def test_rejected_rows_name_the_planted_field(built: Built) -> None:
    fields = {
        (d["file"], d["row"]): d["field"] for d in built.labels if d["expect"] == "quarantine"
    }
    rows = query(built, "select source_file, source_row, field from raw.quarantine")
    wrong = [(f, r, got) for f, r, got in rows if (f, r) in fields and got != fields[(f, r)]]
    assert wrong == []


def test_rows_read_equal_loaded_plus_quarantined_for_every_file(built: Built) -> None:
    rows = query(
        built,
        "select source_file, rows_read, rows_loaded, rows_quarantined from raw._loads",
    )
    assert rows and all(read == loaded + quar for _, read, loaded, quar in rows)
    for source in SOURCES:
        in_raw = dict(
            query(built, f"select _source_file, count(*) from raw.{source.name} group by all")
        )
        logged = dict(
            query(
                built,
                "select source_file, rows_loaded from raw._loads where source_table = ?",
                [source.name],
            )
        )
        assert {f: n for f, n in logged.items() if n} == in_raw


def test_a_good_build_leaves_no_dbt_artifacts_behind(built: Built) -> None:
    assert not (run_files_dir(built.settings.warehouse) / "dbt").exists()
    assert (run_files_dir(built.settings.warehouse) / "last_build.log").is_file()


def test_a_second_build_changes_no_row_count(built: Built) -> None:
    assert built.second.ok
    assert built.counts_after_second == built.counts_after_first
    assert all(s.rows_loaded == 0 for s in built.second.sources)


def test_duplicates_collapse_and_corrections_win_in_staging(built: Built) -> None:
    stg = {
        "erp_invoices": ("stg_erp__invoices", "invoice_id"),
        "cases_case_events": ("stg_cases__case_events", "event_id"),
        "cases_cases": ("stg_cases__cases", "case_id"),
    }
    for model, key in stg.values():
        total, distinct = query(
            built, f"select count(*), count(distinct {key}) from staging.{model}"
        )[0]
        assert total == distinct, model
    corrections = [d for d in built.labels if d["expect"] == "correction"]
    assert corrections, "the sample plants late corrections"
    renamed = {"amount": "document_amount"}  # staging's names for source fields
    for d in corrections:
        model, key = stg[d["table"]]
        column = renamed.get(d["corrected_field"], d["corrected_field"])
        (value,) = query(
            built,
            f"select cast({column} as varchar) from staging.{model} where {key} = ?",
            [d["key"]],
        )[0]
        assert value == str(d["corrected_value"]), d


def _independent_open_amounts(built: Built) -> dict[str, Decimal]:
    """Open amount per currency at as-of, recomputed in polars from the raw tables."""
    with duckdb.connect(str(built.settings.warehouse), read_only=True) as con:
        docs = con.sql("select * from raw.erp_invoices").pl()
        allocations = con.sql("select * from raw.erp_payment_allocations").pl()
        bank = con.sql("select entry_ref, value_date from raw.bank_entries").pl()
    latest = (
        docs.sort(["updated_at", "_source_file", "_source_row"])
        .group_by("invoice_id", maintain_order=True)
        .last()
    )
    allocations = (
        allocations.sort(["allocated_at", "_source_file", "_source_row"])
        .group_by("allocation_id")
        .last()
    )
    bank = bank.unique("entry_ref", keep="last")
    paid = (
        allocations.join(bank, left_on="payment_ref", right_on="entry_ref", how="left")
        .with_columns(pl.coalesce("value_date", pl.col("allocated_at").dt.date()).alias("paid_on"))
        .filter(pl.col("paid_on") <= AS_OF)
        .group_by("invoice_id")
        .agg(pl.col("amount").sum().alias("paid"))
    )
    credits = (
        latest.filter((pl.col("document_type") == "credit_note") & (pl.col("issue_date") <= AS_OF))
        .group_by("reference_invoice_id")
        .agg(pl.col("amount").sum().alias("credited"))
    )
    invoices = latest.filter(
        (pl.col("document_type") == "invoice") & (pl.col("issue_date") <= AS_OF)
    )
    open_items = (
        invoices.join(paid, on="invoice_id", how="left")
        .join(credits, left_on="invoice_id", right_on="reference_invoice_id", how="left")
        .with_columns(
            (pl.col("amount") - pl.col("paid").fill_null(0) - pl.col("credited").fill_null(0))
            .clip(lower_bound=0)
            .alias("open")
        )
        .filter(pl.col("open") > 0)
    )
    totals = open_items.group_by("currency").agg(pl.col("open").sum())
    return {c: Decimal(str(v)) for c, v in totals.iter_rows()}


def test_latest_ageing_snapshot_equals_an_independent_recomputation(built: Built) -> None:
    mart = dict(
        query(
            built,
            "select currency, sum(open_amount) from marts.fct_ar_ageing"
            " where snapshot_date = ? group by all",
            [AS_OF],
        )
    )
    assert mart == _independent_open_amounts(built)
    assert len(mart) >= 2, "the sample is multi-currency"


def test_ageing_has_a_snapshot_for_every_month_end_and_the_as_of_day(built: Built) -> None:
    snapshots = [
        d
        for (d,) in query(
            built, "select distinct snapshot_date from marts.fct_ar_ageing order by 1"
        )
    ]
    assert snapshots[-1] == AS_OF
    month_ends = snapshots[:-1]
    assert month_ends and all((d + timedelta(days=1)).day == 1 for d in month_ends)
    assert len(month_ends) >= 12, "the sample holds more than a year of history"
    buckets = {b for (b,) in query(built, "select distinct ageing_bucket from marts.fct_ar_ageing")}
    assert buckets <= {"current", "1-30", "31-60", "61-90", "91-120", "120+"}
    assert query(
        built, "select count(*) from marts.fct_ar_ageing where open_amount_rc is null"
    ) == [(0,)]


def test_the_dashboard_shows_the_built_ledger_at_the_as_of_date(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(built.settings.warehouse))
    page = AppTest.from_file(str(DASHBOARD_APP), default_timeout=60).run()
    assert not page.exception
    (total,) = query(
        built,
        "select sum(open_amount_rc) from marts.fct_ar_ageing where snapshot_date = ?",
        [AS_OF],
    )[0]
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Total open (EUR)"] == f"{total:,.2f}"
    (items,) = query(
        built, "select count(*) from marts.fct_ar_ageing where snapshot_date = ?", [AS_OF]
    )[0]
    assert metrics["Open items"] == f"{items:,}"


def test_the_dso_page_shows_the_built_figures(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(built.settings.warehouse))
    page = AppTest.from_file(str(DASHBOARD_APP.with_name("views") / "dso.py"), default_timeout=60)
    page.run()
    assert not page.exception
    ((dso, cei),) = query(
        built,
        "select standard_dso_days, cei_pct from marts.fct_dso where segment = 'all'"
        " and period_months = 1 and month = (select max(month) from marts.fct_dso"
        " where segment = 'all' and period_months = 1 and not is_partial_period)",
    )
    metrics = {m.label: m.value for m in page.metric}
    assert metrics["Standard DSO"] == f"{float(dso):.1f} d"
    assert metrics["CEI"] == f"{float(cei):.1f} %"


def test_the_stuck_page_drills_from_the_queue_to_a_case_timeline(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AMICABLE_WAREHOUSE", str(built.settings.warehouse))
    page = AppTest.from_file(str(DASHBOARD_APP.with_name("views") / "stuck.py"), default_timeout=60)
    page.run()
    assert not page.exception
    ((stuck, first_case),) = query(
        built, "select count(distinct case_id), min(case_id) from marts.fct_stuck_cases"
    )
    assert {m.label: m.value for m in page.metric}["Stuck cases"] == str(stuck)
    page.selectbox(key="case").set_value(first_case).run()
    ((records,),) = query(
        built, "select count(*) from marts.fct_case_timeline where case_id = ?", [first_case]
    )
    timeline = page.dataframe[1].value
    assert len(timeline) == records > 0
    assert timeline["source_file"].notna().all()
