"""The HTML data-quality report, rendered from what the checks recorded in the warehouse."""

from __future__ import annotations

import copy
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
from dq_fixtures import RAW, build_warehouse, log_loads, run_graph, stubs

from amicable.settings import Settings
from data_quality.checks import build_sql_checks
from data_quality.report import report_path, write_report
from data_quality.source_checks import FRESHNESS_CHECK, build_freshness_check
from data_quality.sqlcheck import staging
from orchestration.build import run_config

ALLOCATIONS = dg.AssetKey(["raw", "erp_payment_allocations"])
INVOICES = dg.AssetKey(["raw", "erp_invoices"])
STAGED = [dg.AssetKey(list(staging(t))) for t in ("erp_payment_allocations", "erp_invoices")]


class _Tables(HTMLParser):
    """The text of every cell, per table and row (folded details included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(path: Path) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


def test_the_report_lists_each_check_of_the_run_failures_first_with_keys(tmp_path: Path) -> None:
    raw = copy.deepcopy(RAW)
    orphan = dict(raw["erp_payment_allocations"][0], allocation_id="AL-9", invoice_id="INV-404")
    raw["erp_payment_allocations"].append(orphan)
    warehouse = build_warehouse(tmp_path / "w.duckdb", raw)
    log_loads(warehouse, "erp_invoices", [("2026-01-30T0200", "2026-01-30 03:00:00", 3)])
    ops = run_config(Settings(tmp_path, warehouse, as_of=date(2026, 1, 31)))["ops"]
    result = run_graph(
        warehouse,
        stubs([ALLOCATIONS, INVOICES, *STAGED], ALLOCATIONS),
        [
            *build_sql_checks(names=["allocations_reference_known_invoices"]),
            build_freshness_check(tables=["erp_invoices"]),
        ],
        run_config={"ops": {FRESHNESS_CHECK: ops[FRESHNESS_CHECK]}},
    )
    out = report_path(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert write_report(con, out) == out, "the latest run by default"

    checks, freshness, history = _tables(out)
    assert checks[0][:5] == ["status", "check", "asset", "level", "failing"]
    failed, warned = checks[1], checks[2]
    assert failed[:5] == [
        "FAIL",
        "allocations_reference_known_invoices",
        "raw/erp_payment_allocations",
        "can block",
        "1",
    ]
    assert "AL-9 -> INV-404 (f_erp_payment_allocations.csv:2)" in failed[5]
    assert failed[6] == (
        "1 of 2 allocations name no known invoice [1 of 2 rows (50 %; blocks above 1 %)]"
    )
    assert warned[:5] == ["WARN", "freshness", "raw/erp_invoices", "warning", "1"]
    assert "is 21 days old on 2026-01-31" in warned[6]
    assert freshness[1] == [
        "erp_invoices",
        "issue_date",
        "2026-01-10 00:00:00",
        "2026-01-31",
        "504.0",
        "96",
        "stale",
    ]
    # pass, warn, fail, skipped
    assert history[1][0] == result.run_id and history[1][2:] == ["0", "1", "1", "0"]


def test_no_report_before_any_check_ran(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert write_report(con, report_path(warehouse)) is None
    assert not report_path(warehouse).exists()
