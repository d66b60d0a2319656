"""Volume bounds from the configuration, and distribution shifts that mean a broken feed."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
from dq_fixtures import (
    DOWNSTREAM,
    RAW,
    build_warehouse,
    config_copy,
    log_loads,
    materialized,
    recorded,
    run_graph,
    stubs,
)

from data_quality.source_checks import (
    DISTRIBUTION_CHECK,
    build_distribution_check,
    build_volume_check,
)
from data_quality.sqlcheck import staging

INVOICES = dg.AssetKey(["raw", "erp_invoices"])
CALLS = dg.AssetKey(["raw", "contacts_calls"])
MESSAGES = dg.AssetKey(["raw", "contacts_messages"])


def _volume_verdict(tmp_path: Path, name: str, config: Path | None) -> dict[str, object]:
    """The volume check's record for invoices after a load of 400 rows following 1000."""
    warehouse = build_warehouse(tmp_path / f"{name}.duckdb")
    log_loads(
        warehouse,
        "erp_invoices",
        [("run-1", "2026-01-30 02:00:00", 1000), ("run-2", "2026-01-31 02:00:00", 400)],
    )
    extra = {"config": config} if config else {}
    result = run_graph(
        warehouse,
        stubs([INVOICES], INVOICES),
        [build_volume_check(tables=["erp_invoices"])],
        **extra,
    )
    assert DOWNSTREAM in materialized(result), "a volume warning never blocks"
    [row] = recorded(warehouse)
    return row


def test_changing_the_configured_volume_bounds_changes_the_verdict(tmp_path: Path) -> None:
    shipped = _volume_verdict(tmp_path, "shipped", None)
    assert (shipped["status"], shipped["blocking"]) == ("warn", False)
    assert shipped["failing_keys"] == ["run-2: 400 rows vs 1000 in run-1"]
    assert "(bounds 500..3000)" in str(shipped["desc"])

    looser = config_copy(tmp_path / "looser", ("min_ratio: 0.5", "min_ratio: 0.3"))
    assert _volume_verdict(tmp_path, "looser", looser)["status"] == "pass"

    override = config_copy(
        tmp_path / "override",
        ("min_ratio: 0.5", "min_ratio: 0.3"),
        ("overrides: {}", "overrides: {erp_invoices: {min_ratio: 0.45, max_ratio: 2.0}}"),
    )
    row = _volume_verdict(tmp_path, "override", override)
    assert row["status"] == "warn"
    assert "(bounds 450..2000)" in str(row["desc"])


def _calls(start: datetime, days: int, count: int, unanswered: int, prefix: str) -> list[dict]:
    """`count` calls spread over `days` days from `start`, the first `unanswered` no_answer."""
    step = timedelta(days=days) / count
    return [
        {"contact_id": f"{prefix}-{i}", "case_id": "C-1", "debtor_id": "D-1", "agent_id": "A-1",
         "direction": "outbound", "started_at": start + step * i, "duration_s": 30,
         "outcome": "no_answer" if i < unanswered else "right_party_contact"}
        for i in range(count)
    ]  # fmt: skip


def _distribution(tmp_path: Path, recent_unanswered: int) -> tuple[dg.ExecuteInProcessResult, Path]:
    raw = copy.deepcopy(RAW)
    # 40 % of 100 calls unanswered over the 80 days before the week to 2026-01-30 ...
    baseline = _calls(datetime(2025, 11, 1), 80, 100, 40, "B")
    # ... then 40 calls in that week (the newest at 2026-01-30 10:00).
    recent = _calls(datetime(2026, 1, 24, 10), 6, 40, recent_unanswered, "R")
    raw["contacts_calls"] = baseline + recent
    warehouse = build_warehouse(tmp_path / f"calls_{recent_unanswered}.duckdb", raw)
    staged = [dg.AssetKey(list(staging(t))) for t in ("contacts_calls", "contacts_messages")]
    result = run_graph(
        warehouse, stubs([CALLS, MESSAGES, *staged], CALLS), [build_distribution_check()]
    )
    return result, warehouse


def test_a_dialer_reporting_every_call_unanswered_is_a_distribution_warning(
    tmp_path: Path,
) -> None:
    result, warehouse = _distribution(tmp_path, recent_unanswered=40)
    evaluations = {e.asset_key: e for e in result.get_asset_check_evaluations()}
    assert (evaluations[CALLS].passed, evaluations[CALLS].severity) == (
        False,
        dg.AssetCheckSeverity.WARN,
    )
    assert evaluations[MESSAGES].passed is True, "two messages: too few to judge"
    assert DOWNSTREAM in materialized(result)
    rows = {r["asset"]: r for r in recorded(warehouse)}
    calls = rows["raw/contacts_calls"]
    assert (calls["check_name"], calls["status"], calls["failing_count"]) == (
        DISTRIBUTION_CHECK,
        "warn",
        1,
    )
    assert calls["failing_keys"] == [
        "contacts_calls: 100.0% of 40 rows in the 7 days to 2026-01-30 were calls that reached "
        "no one (no_answer, busy, voicemail), vs 40.0% of 100 in the 90 days before "
        "(allowed shift 23.2 points)"
    ]
    assert "too few rows to judge" in str(rows["raw/contacts_messages"]["desc"])


def test_an_ordinary_week_of_calls_passes_the_distribution_check(tmp_path: Path) -> None:
    result, warehouse = _distribution(tmp_path, recent_unanswered=22)  # 55 % vs 40 %
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert {r["status"] for r in recorded(warehouse)} == {"pass"}
