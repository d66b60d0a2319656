"""Raw suites validate only what is new (`data_quality.runner`, `data_quality.validated`), with
the verdicts, failing counts and failing keys of validating the whole table."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import great_expectations as gx
import pytest
from conftest import CLEAN_INVOICES, INVOICE_COLUMNS, Warehouse
from dq_fixtures import run_graph, stubs

from data_quality import runner
from data_quality.checks import build_asset_checks
from data_quality.expectations import in_set
from data_quality.runner import CATEGORY, SuiteOutcome, category, run_suite
from data_quality.suites import SUITES, erp_invoices_suite
from data_quality.suites_raw import cases_agents_suite
from tests.agents_loads import AGENTS, agent, ingest_agents, recorded, seen

INVOICES = dg.AssetKey(["raw", "erp_invoices"])


def _bad_rows(load: int, count: int) -> list[dict[str, object]]:
    """`count` agents who left before they started (blocking, row-level), then one agent twice
    in the file (a key repeated within one extraction: a group-level warning)."""
    left = [agent(f"A-{load}-{n:02}", active_to="2026-01-02") for n in range(count)]
    return [*left, agent(f"A-{load}-dup"), agent(f"A-{load}-dup", team="T2")]


LOADS: list[list[dict[str, object]]] = [
    [agent("A-1"), *_bad_rows(1, 15), agent("A-2", team="T2")],
    [agent("A-3"), agent("A-4", team="T2")],
    [agent("A-5"), *_bad_rows(3, 12), agent("A-1", team="T2")],
]


def _same_as_whole(outcome: SuiteOutcome, whole: SuiteOutcome) -> None:
    assert seen(outcome) == seen(whole)
    assert recorded(outcome) == recorded(whole)
    assert (outcome.success, outcome.row_count) == (whole.success, whole.row_count)


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path, list[SuiteOutcome]]:
    """The three loads, each validated incrementally after it (kept as build `b<load>`)."""
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    outcomes = []
    for load, rows in enumerate(LOADS, start=1):
        ingest_agents(landing, warehouse, load, rows)
        outcomes.append(run_suite(warehouse, AGENTS, cases_agents_suite(), run_id=f"b{load}"))
    return landing, warehouse, outcomes


def test_validating_load_by_load_finds_what_validating_the_whole_table_finds(
    loaded: tuple[Path, Path, list[SuiteOutcome]],
) -> None:
    _, warehouse, outcomes = loaded
    assert [o.rows_read for o in outcomes] == [len(rows) for rows in LOADS]
    whole = run_suite(warehouse, AGENTS, cases_agents_suite(), full=True)
    assert whole.rows_read == whole.row_count == sum(len(rows) for rows in LOADS)
    _same_as_whole(outcomes[-1], whole)
    failed = {r.name: r for r in whole.results if not r.success}
    left = failed["expect_column_pair_values_a_to_be_greater_than_b(active_to, active_from)"]
    assert left.unexpected_count == 27  # 15 in the first load, 12 in the third
    assert left.failing_keys[0] == "A-1-00 (cases/agents_2026-02-02T0300.jsonl:2)"
    assert left.failing_keys[-1] == "A-3-04 (cases/agents_2026-02-04T0300.jsonl:6)"
    unique = failed["expect_compound_columns_to_be_unique(agent_id, _extracted_at, _loaded_at)"]
    assert unique.unexpected_count == 4
    assert recorded(whole)[:2] == ("fail", 31)


def test_a_validation_with_no_new_rows_reads_no_raw_row(
    loaded: tuple[Path, Path, list[SuiteOutcome]],
) -> None:
    _, warehouse, outcomes = loaded
    again = run_suite(warehouse, AGENTS, cases_agents_suite(), run_id="b4")
    assert again.rows_read == 0 and again.validation is None
    _same_as_whole(again, outcomes[-1])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from quality.raw_validations").fetchone() == (3,)


def _add_twin_of_inv_1(warehouse: Path, source_row: int, batch: str) -> None:
    """Another version of INV-1 with the update, extraction and load time of its latest one
    (row 2 of its second file), loaded by build `batch` (ingestion never does this: a later
    load has a later load time)."""
    twin = dict(zip(INVOICE_COLUMNS, CLEAN_INVOICES[3], strict=True))
    twin.update(_source_row=source_row, amount="1.00")
    with duckdb.connect(str(warehouse)) as con:
        first = con.execute(
            "select _extracted_at, _loaded_at from raw.erp_invoices"
            " where _source_row = 2 and invoice_id = 'INV-1'"
        ).fetchone()
        marks = ", ".join("?" for _ in range(len(INVOICE_COLUMNS) + 3))
        con.execute(
            f"insert into raw.erp_invoices ({', '.join(INVOICE_COLUMNS)}, _extracted_at,"
            f" _loaded_at, _batch_id) values ({marks})",
            [*twin.values(), *first, batch],
        )


def test_a_duplicate_of_a_new_row_and_an_old_row_is_found(make_warehouse: Warehouse) -> None:
    """The new row brings its old twins into the validation: each duplicate is reported
    once, as validating the whole table reports it."""
    warehouse = make_warehouse()
    assert run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), run_id="r1").success
    keys = [f"INV-1 (invoices_2026-01-11T0200.csv:{row})" for row in (2, 7, 8)]
    for build, twins in (("r2", 2), ("r3", 3)):
        _add_twin_of_inv_1(warehouse, 5 + twins, build)
        outcome = run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), run_id=build)
        assert outcome.rows_read == twins  # the new row and its old twins
        [failed] = [r for r in outcome.results if not r.success]
        assert failed.name.startswith("expect_compound_columns_to_be_unique(invoice_id")
        assert (failed.unexpected_count, failed.failing_keys) == (twins, tuple(keys[:twins]))
        whole = run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), full=True)
        _same_as_whole(outcome, whole)
    again = run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), run_id="r4")
    assert again.rows_read == 0
    _same_as_whole(again, whole)


def _failures(outcome: SuiteOutcome) -> list[tuple]:
    assert outcome.validation is not None
    return sorted(outcome.validation.failures.itertuples(index=False, name=None))


def test_a_full_validation_read_a_run_of_files_at_a_time_finds_what_one_read_finds(
    make_warehouse: Warehouse, loaded: tuple[Path, Path, list[SuiteOutcome]], monkeypatch
) -> None:
    """At scale a full validation reads the table a run of files at a time (CHUNK_ROWS), so
    its memory does not grow with the table; here every file of every batch is a run of its
    own: the row failures of every load, and duplicates within a file and across batches
    (twins of INV-1 loaded by three builds), are each found once, as one read of every row
    finds them."""
    warehouse = make_warehouse()
    for build, twins in (("r2", 2), ("r3", 3)):
        _add_twin_of_inv_1(warehouse, 5 + twins, build)
    agents = loaded[1]
    wholes = [
        run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), full=True),
        run_suite(agents, AGENTS, cases_agents_suite(), full=True),
    ]
    monkeypatch.setattr(runner, "CHUNK_ROWS", 1)
    runs = [
        run_suite(warehouse, "raw.erp_invoices", erp_invoices_suite(), full=True),
        run_suite(agents, AGENTS, cases_agents_suite(), full=True),
    ]
    for run, whole in zip(runs, wholes, strict=True):
        _same_as_whole(run, whole)
        assert _failures(run) == _failures(whole)
        assert run.rows_read >= run.row_count == whole.rows_read
    [twins] = [r for r in runs[0].results if not r.success]
    assert twins.unexpected_count == 3
    assert sum(r.unexpected_count or 0 for r in runs[1].results if not r.success) == 31


def _agents_suite_with_teams(teams: tuple[str, ...]) -> gx.ExpectationSuite:
    suite = cases_agents_suite()
    expectations = [*suite.expectations, in_set("team", teams, "teams are T1 and T2")]
    return gx.ExpectationSuite(name=suite.name, expectations=expectations, meta=suite.meta)


def test_a_changed_suite_validates_every_row_again_and_old_failures_stop_counting(
    loaded: tuple[Path, Path, list[SuiteOutcome]],
) -> None:
    _, warehouse, _ = loaded
    both = run_suite(warehouse, AGENTS, _agents_suite_with_teams(("T1", "T2")), run_id="b4")
    assert both.rows_read == both.row_count
    narrower = _agents_suite_with_teams(("T1",))  # the same expectation's name, a new threshold
    changed = run_suite(warehouse, AGENTS, narrower, run_id="b5")
    assert changed.rows_read == changed.row_count
    _same_as_whole(changed, run_suite(warehouse, AGENTS, narrower, full=True))
    teams = {r.name: r for r in changed.results}["expect_column_values_to_be_in_set(team)"]
    assert teams.unexpected_count == 5  # the T2 agents, not those of the first suite
    again = run_suite(warehouse, AGENTS, narrower, run_id="b6")
    assert again.rows_read == 0
    _same_as_whole(again, changed)


def test_a_full_refresh_validates_every_row_again_and_counts_each_failure_once(
    loaded: tuple[Path, Path, list[SuiteOutcome]],
) -> None:
    _, warehouse, outcomes = loaded
    refreshed = run_suite(warehouse, AGENTS, cases_agents_suite(), run_id="b4", full=True)
    assert refreshed.rows_read == refreshed.row_count
    _same_as_whole(refreshed, outcomes[-1])
    after = run_suite(warehouse, AGENTS, cases_agents_suite(), run_id="b5")
    assert after.rows_read == 0
    _same_as_whole(after, outcomes[-1])


def test_every_expectation_of_every_suite_has_a_category() -> None:
    """Row-level, group-level or table-level (`data_quality.runner.CATEGORY`)."""
    used = {e.expectation_type for build in SUITES.values() for e in build().expectations}
    assert used == set(CATEGORY)
    for build in SUITES.values():
        assert all(category(e.configuration) for e in build().expectations)
    with pytest.raises(ValueError, match="CATEGORY"):
        category(gx.expectations.ExpectColumnValuesToBeUnique(column="x").configuration)


def test_the_suite_check_keeps_what_it_validated_and_a_full_refresh_reads_every_row(
    make_warehouse: Warehouse,
) -> None:
    warehouse = make_warehouse()
    [check] = build_asset_checks("warehouse", tables=["raw.erp_invoices"])

    def rows_read(full_refresh: bool) -> int:
        config = {"ops": {check.node_def.name: {"config": {"full_refresh": full_refresh}}}}
        result = run_graph(warehouse, stubs([INVOICES], INVOICES), [check], run_config=config)
        [evaluation] = result.get_asset_check_evaluations()
        assert evaluation.passed
        return evaluation.metadata["rows_read"].value

    assert [rows_read(False), rows_read(False), rows_read(True)] == [
        len(CLEAN_INVOICES),
        0,
        len(CLEAN_INVOICES),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = con.execute("select full_validation from quality.raw_validations").fetchall()
        runs = con.execute("select count(distinct run_id) from quality.check_results").fetchone()
    assert kept == [(True,), (True,)] and runs == (3,)


def test_an_expectation_gx_cannot_evaluate_is_an_error_and_its_rows_are_validated_again(
    loaded: tuple[Path, Path, list[SuiteOutcome]],
) -> None:
    _, warehouse, _ = loaded
    suite = cases_agents_suite()
    broken = gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="name", column_B="active_from"
    )  # text against dates: pandas cannot compare them
    suite = gx.ExpectationSuite(
        name=suite.name, expectations=[*suite.expectations, broken], meta=suite.meta
    )
    for build in ("b4", "b5"):
        outcome = run_suite(warehouse, AGENTS, suite, run_id=build)
        [error] = [r for r in outcome.results if r.error]
        assert error.name.endswith("(name, active_from)") and not error.success
        assert outcome.rows_read == outcome.row_count and outcome.validation is None
