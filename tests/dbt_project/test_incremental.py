"""A warehouse built day by day equals one built in one go, row for row.

A generated history with one file per source and night (`amicable generate --daily`) is
built twice: once from every file with the last day as the as-of date, and once from the files
up to thirty days earlier, then the following nights' files three nights at a time with the
as-of date moving three days each build (ten nightly builds, not thirty: each dbt run parses
the project again, and the rule under test does not depend on the step; the last night brings
the late corrections and re-sent duplicates the generator plants). The daily builds run the
incremental models and their ancestors, as `orchestration.incremental` decides (no full
refresh); a last full `dbt run` on top builds the models that read them. Every staging,
intermediate and mart table must then hold the same rows in both warehouses, load-time
lineage aside.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from data_quality.resources import WarehouseResource
from ingestion.contracts import SOURCES
from ingestion.landing import extracted_at
from ingestion.load import ensure_raw_schema, ingest_source, load_time
from orchestration.dbt_assets import DbtBuildConfig, dbt_vars, incremental_vars
from sample_data import generate
from tests.dbt_project.raw_fixture import AS_OF as FIXTURE_AS_OF
from tests.dbt_project.raw_fixture import (
    RAW_FILES,
    build_raw_warehouse,
    insert_raw_rows,
    run_dbt,
)
from tests.dbt_project.raw_fixture import dbt_vars as fixture_vars
from tests.warehouse_compare import differences, tables

LAST_DAY = date(2026, 3, 31)
DAYS = 30
STEP = 3  # nights per daily build


def _night(path: Path) -> date | None:
    stamp = extracted_at(path.name)
    return stamp.date() if stamp else None


def _ingest(warehouse: Path, landing: Path, batch: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con, SOURCES)
        for source in SOURCES:
            loaded_at = load_time(con, datetime.now(UTC).replace(tzinfo=None))
            ingest_source(con, landing, source, batch, loaded_at)


def _build(warehouse: Path, landing: Path, as_of: date, work: Path, select: str = "") -> str:
    """Ingest `landing`, then `dbt run` with the vars and refresh flag a build would use;
    returns the full-refresh reason ("" for an incremental build)."""
    _ingest(warehouse, landing, f"build-{as_of}")
    values = dbt_vars(DbtBuildConfig(as_of=as_of.isoformat()), _business(), "")
    values, refresh = incremental_vars(WarehouseResource(path=str(warehouse)), values, False)
    args = ["run", *refresh, "--vars", json.dumps(values)]
    if select:
        args += ["--select", select]
    run = run_dbt(args, warehouse, work)
    assert run.returncode == 0, run.output[-3000:]
    return values["full_refresh_reason"]


def _business() -> dict:
    return load_config(DEFAULT_CONFIG).dbt_vars()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("daily") / "landing"
    generate(out, size="tiny", as_of=LAST_DAY, daily=True)
    return out


def test_a_warehouse_built_day_by_day_equals_one_built_at_once(
    history: Path, tmp_path: Path
) -> None:
    first_day = LAST_DAY - timedelta(days=DAYS)
    files = [p for p in history.rglob("*") if p.is_file() and "_labels" not in p.parts]
    by_night: dict[date, list[Path]] = {}
    for path in files:
        night = _night(path)
        key = night if night and night > first_day else first_day
        by_night.setdefault(key, []).append(path)
    assert len([d for d in by_night if d > first_day]) >= 20  # most nights bring files

    once = tmp_path / "once.duckdb"
    assert _build(once, history, LAST_DAY, tmp_path / "once") != ""  # a first build is full

    daily, landing = tmp_path / "daily.duckdb", tmp_path / "landing"
    for day in (first_day + timedelta(days=n) for n in range(0, DAYS + 1, STEP)):
        nights = [day - timedelta(days=n) for n in range(STEP)] if day > first_day else [day]
        for path in (p for night in nights for p in by_night.get(night, [])):
            target = landing / path.relative_to(history)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        select = "" if day == first_day else "+config.materialized:incremental"
        reason = _build(daily, landing, day, tmp_path / "daily", select)
        assert (reason == "") == (day != first_day), (day, reason)
    assert _build(daily, landing, LAST_DAY, tmp_path / "daily") == ""  # every model, on top

    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{once}' as once (read_only)")
        # The window is not trivial: the days after the first re-deliver keys loaded before.
        restated = con.execute(
            "select count(*) from (select invoice_id from raw.erp_invoices"
            " group by invoice_id having count(distinct _batch_id) > 1)"
        ).fetchone()[0]
        assert restated > 0
        assert len(tables(con, "daily")) > 40
        assert differences(con, "daily", "once") == {}


def test_a_record_that_leaves_the_timeline_is_removed_by_the_daily_build(tmp_path: Path) -> None:
    """A call corrected to have no case, and a message re-dated after the as-of date: the
    daily build's delete+insert alone would keep their old rows in the timeline and in the
    contacts; the post-hooks remove them, as a full build would never have written them."""
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    select = [
        "--select", "+fct_case_timeline +int_ops_case_contacts",
        "--vars", fixture_vars(as_of=FIXTURE_AS_OF),
    ]  # fmt: skip
    assert run_dbt(["run", *select], warehouse, tmp_path).returncode == 0
    timeline = "select record_id from marts.fct_case_timeline order by record_id"
    contacts = "select contact_id from intermediate.int_ops_case_contacts order by contact_id"
    with duckdb.connect(str(warehouse)) as con:
        assert [r for (r,) in con.execute(timeline).fetchall()] == ["E1", "E2", "K1", "M1"]
        assert [r for (r,) in con.execute(contacts).fetchall()] == ["K1", "M1"]
        corrected = {
            "contacts/calls_2026-03-05T0200.csv": (
                "contacts_calls",
                {**RAW_FILES["contacts/calls_2026-03-02T0200.csv"]["contacts_calls"][0]},
                {"case_id": None},
            ),
            "contacts/messages_2026-03-05T0200.jsonl": (
                "contacts_messages",
                {**RAW_FILES["contacts/messages_2026-03-02T0200.jsonl"]["contacts_messages"][0]},
                {"sent_at": "2026-04-02 12:00:00"},
            ),
        }
        for source_file, (table, row, change) in corrected.items():
            insert_raw_rows(con, table, source_file, [row | change], "2026-04-04 06:00:00")
    assert run_dbt(["run", *select], warehouse, tmp_path).returncode == 0
    with duckdb.connect(str(warehouse)) as con:
        assert [r for (r,) in con.execute(timeline).fetchall()] == ["E1", "E2"]
        assert con.execute(contacts).fetchall() == []


def _c4_calls() -> list[dict[str, str | int]]:
    """Case C4's calls (debtor D2, B2C, US): its first contact, K30 on 03-12, and K31 at 23:00
    New York time on 03-13 (03-14 UTC), which breaks the quiet hours."""
    return [{**_call("K30", "2026-03-12 15:00:00", "C1"), "case_id": "C4"},
            {**_call("K31", "2026-03-14 03:00:00", "C1"), "case_id": "C4"}]  # fmt: skip


# Rows of raw files: (raw table, source file) -> rows.
RawRows = dict[tuple[str, str], list[dict[str, Any]]]


def _load(warehouses: dict[str, Path], files: RawRows, loaded_at: str) -> None:
    """Append `files` to the raw tables of each of `warehouses`, loaded at `loaded_at`."""
    for warehouse in warehouses.values():
        with duckdb.connect(str(warehouse)) as con:
            for (table, source_file), rows in files.items():
                insert_raw_rows(con, table, source_file, rows, loaded_at)


def _daily_and_once(tmp_path: Path, early: RawRows, loaded_at: str) -> dict[str, Path]:
    """Two warehouses, `daily` and `once`, each holding the raw fixture and the `early` rows
    loaded at `loaded_at`."""
    warehouses = {name: tmp_path / f"{name}.duckdb" for name in ("daily", "once")}
    for warehouse in warehouses.values():
        build_raw_warehouse(warehouse, RAW_FILES)
    _load(warehouses, early, loaded_at)
    return warehouses


def test_windows_that_close_bring_their_breaches_with_no_new_file(tmp_path: Path) -> None:
    """What the as-of date alone brings (compliance_breaches_restated_cases). US-VALIDATION:
    case C4 of D2 (B2C, US) has its first contact, call K30, on 03-12 and no first_notice
    letter; a later call, K31 at 23:00 New York time on 03-13 (03-14 UTC), breaks the quiet
    hours, so the latest breach held is dated 03-14, on or after every row of C4 and C5.
    ANY-RETENTION: case C5 of D2 was closed on 2021-03-16, so its five years end on
    2026-03-16. Built as of 03-15 neither has ended: no breach. Built again as of 03-20 with no
    new file, only the as-of date brings them: the daily build must restate C4 from its first
    contact in the closed window and C5 from its closing, and equal a build as of 03-20 in one
    go."""
    cases = [
        {"case_id": "C4", "debtor_id": "D2", "opened_at": "2026-03-10 08:00:00",
         "placed_amount": "400.00", "currency": "USD", "strategy": "standard",
         "agent_id": "AG1", "jurisdiction": "US", "updated_at": "2026-03-10 08:00:00"},
        {"case_id": "C5", "debtor_id": "D2", "opened_at": "2020-11-02 08:00:00",
         "placed_amount": "90.00", "currency": "USD", "strategy": "standard",
         "agent_id": "AG1", "jurisdiction": "US", "updated_at": "2021-03-16 10:00:00"},
    ]  # fmt: skip
    closing = {"event_id": "E50", "case_id": "C5", "occurred_at": "2021-03-16 10:00:00",
               "event_type": "closed", "actor_id": "AG1", "payload": "{}"}  # fmt: skip
    select = ["--select", "+fct_compliance_breaches"]
    late = {
        ("cases_cases", "cases/cases_2026-03-10T0200.jsonl"): cases,
        ("contacts_calls", "contacts/calls_2026-03-14T0200.csv"): _c4_calls(),
        ("cases_case_events", "cases/case_events_2026-03-14T0200.jsonl"): [closing],
    }
    warehouses = _daily_and_once(tmp_path, late, "2026-03-15 06:00:00")
    rules = (
        "select case_id, rule_id, cast(occurred_at as date) from marts.fct_compliance_breaches"
        " where case_id in ('C4', 'C5') order by 1, 2"
    )
    daily = warehouses["daily"]
    first = ["--vars", fixture_vars(as_of="2026-03-15")]
    assert run_dbt(["run", *select, *first], daily, tmp_path / "first").returncode == 0
    with duckdb.connect(str(daily)) as con:
        assert con.execute(rules).fetchall() == [("C4", "US-HOURS", date(2026, 3, 14))]
        since = "select max(cast(occurred_at as date)) from marts.fct_compliance_breaches"
        assert con.execute(since).fetchone()[0] >= date(2026, 3, 14), "C4's rows are not after"
    then = ["--vars", fixture_vars(as_of="2026-03-20")]
    for name, warehouse in warehouses.items():
        run = run_dbt(["run", *select, *then], warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        assert con.execute(rules).fetchall() == [
            ("C4", "US-HOURS", date(2026, 3, 14)),
            ("C4", "US-VALIDATION", date(2026, 3, 12)),
            ("C5", "ANY-RETENTION", date(2026, 3, 16)),
        ]
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once", ("intermediate", "marts")) == {}


def test_a_call_that_leaves_its_case_takes_the_case_breach_with_it(tmp_path: Path) -> None:
    """Case C4 of D2 (B2C, US) holds calls K30 (03-12) and K31 (23:00 New York time on 03-13,
    which breaks the quiet hours): built as of 03-15, C4 has a US-HOURS breach. A late file
    moves K31 to case C1. The timeline rewrites a case from the moment a record enters it, but
    a case a record leaves whole: C4 keeps K30, dated before K31, and the breaches rewrite the
    cases whose timeline rows were written, so rewriting only C4's tail (nothing after K31)
    would keep C4's breach. The daily build as of 03-16 must equal a build in one go."""
    case = {
        "case_id": "C4",
        "debtor_id": "D2",
        "opened_at": "2026-03-10 08:00:00",
        "placed_amount": "400.00",
        "currency": "USD",
        "strategy": "standard",
        "agent_id": "AG1",
        "jurisdiction": "US",
        "updated_at": "2026-03-10 08:00:00",
    }
    select = ["--select", "+fct_compliance_breaches"]
    late = {
        ("cases_cases", "cases/cases_2026-03-10T0200.jsonl"): [case],
        ("contacts_calls", "contacts/calls_2026-03-14T0200.csv"): _c4_calls(),
    }
    warehouses = _daily_and_once(tmp_path, late, "2026-04-04 06:00:00")
    breaches = "select case_id, rule_id from marts.fct_compliance_breaches where case_id = 'C4'"
    daily = warehouses["daily"]
    first = ["--vars", fixture_vars(as_of="2026-03-15")]
    assert run_dbt(["run", *select, *first], daily, tmp_path / "first").returncode == 0
    with duckdb.connect(str(daily)) as con:
        assert con.execute(breaches).fetchall() == [("C4", "US-HOURS")]
    moved = {
        ("contacts_calls", "contacts/calls_2026-03-16T0200.csv"): [
            _call("K31", "2026-03-14 03:00:00", "C1")
        ]
    }
    _load(warehouses, moved, "2026-04-05 06:00:00")
    then = ["--vars", fixture_vars(as_of="2026-03-16")]
    for name, warehouse in warehouses.items():
        run = run_dbt(["run", *select, *then], warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        assert con.execute(breaches).fetchall() == []
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once", ("intermediate", "marts")) == {}


# Late files for the receivables' restatement window, loaded after a first build as of 03-30:
# a correction to the oldest invoice (issued 2025-10-15), a payment to it dated back in
# December, INV-2 re-issued in March (its January and February rows must go), allocation A1
# moved from INV-1 to INV-3 (only A1's earlier version names INV-1), the USD rate of 02-27
# corrected (it converts the 02-28 snapshot of INV-4, which no file touches, and nothing else:
# the 03-02 rate takes over), and debtor D2 renamed (every row of its invoices names it).
# fmt: off
LATE_FILES: RawRows = {
    ("erp_invoices", "erp/invoices_2026-04-02T0200.csv"): [
        {"invoice_id": "INV-6", "debtor_id": "D2", "invoice_number": "2025-006",
         "document_type": "invoice", "issue_date": "2025-10-15", "due_date": "2025-11-14",
         "amount": "80.00", "currency": "EUR", "updated_at": "2026-04-01 08:00:00"},
        {"invoice_id": "INV-2", "debtor_id": "D1", "invoice_number": "2026-002",
         "document_type": "invoice", "issue_date": "2026-03-05", "due_date": "2026-03-05",
         "amount": "500.00", "currency": "EUR", "updated_at": "2026-04-01 09:00:00"},
    ],
    ("erp_payment_allocations", "erp/payment_allocations_2026-04-02T0200.csv"): [
        {"allocation_id": "A5", "payment_ref": "B-OLD", "invoice_id": "INV-6",
         "amount": "30.00", "allocated_at": "2025-12-10 10:00:00"},
        {"allocation_id": "A1", "payment_ref": "B1", "invoice_id": "INV-3",
         "amount": "400.00", "allocated_at": "2026-02-16 11:00:00"},
    ],
    ("erp_customers", "erp/customers_2026-04-02T0200.csv"): [
        {"debtor_id": "D2", "name": "Bob Smith Ltd", "segment": "B2C", "country": "US",
         "timezone": "America/New_York", "currency": "USD", "updated_at": "2026-04-01 10:00:00"},
    ],
    ("fx_rates", "fx/fx_rates_2026-04-02T1800.csv"): [
        {"rate_date": "2026-02-27", "currency": "USD", "rate_to_reporting": "0.8800000000"},
    ],
}
# fmt: on


RECEIVABLES = (
    "marts.fct_ar_balance_periods",
    "marts.fct_ar_ageing",
    "marts.fct_ar_ageing_by_invoice_date",
    "marts.fct_ar_movements",
    "intermediate.int_finance_ar_balances",
)


def test_the_daily_receivables_restate_late_corrections_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    """The incremental receivables marts (balance periods, the two ageings, the waterfall)
    and the DSO balances (int_finance_ar_balances), built as of 03-30 and then, after the late
    files, incrementally as of 04-03, equal a warehouse built from the same raw rows in one
    go: each touched invoice restated over all its periods, snapshots and balance dates, the
    rate's window over its currency's snapshots and balance dates (02-28 is both), the new
    as_of written, the rows that no longer exist (INV-2 before March, the 03-30 snapshot and
    balance date) withdrawn. INV-8 (USD, of D1) is open on 02-28 and no late file touches it
    (INV-4 is D2's, renamed): only the rate's window restates its 02-28 rows."""
    select = [
        "--select", "+fct_ar_movements", "+fct_ar_ageing_by_invoice_date",
        "+int_finance_ar_balances",
    ]  # fmt: skip
    untouched = {
        "invoice_id": "INV-8", "debtor_id": "D1", "invoice_number": "2026-008",
        "document_type": "invoice", "issue_date": "2026-02-20", "due_date": "2026-03-20",
        "amount": "300.00", "currency": "USD", "updated_at": "2026-02-20 09:00:00",
    }  # fmt: skip
    early = {("erp_invoices", "erp/invoices_2026-02-21T0200.csv"): [untouched]}
    warehouses = _daily_and_once(tmp_path, early, "2026-02-21 06:00:00")
    daily = warehouses["daily"]
    first = ["run", *select, "--vars", fixture_vars(as_of="2026-03-30")]
    assert run_dbt(first, daily, tmp_path / "first").returncode == 0
    with duckdb.connect(str(daily)) as con:
        for model in ("fct_ar_ageing", "fct_ar_ageing_by_invoice_date", "fct_ar_movements"):
            before = con.execute(
                "select count(*) filter (where invoice_id = 'INV-2'"
                " and snapshot_date < '2026-03-01'),"
                " count(*) filter (where snapshot_date = '2026-03-30')"
                f" from marts.{model}"
            ).fetchone()
            assert before[0] > 0 and before[1] > 0, model  # rows the late files must withdraw
        before = con.execute(
            "select count(*) filter (where invoice_id = 'INV-2' and balance_date < '2026-03-01'),"
            " count(*) filter (where balance_date = '2026-03-30'),"
            " count(*) filter (where invoice_id = 'INV-8' and balance_date = '2026-02-28')"
            " from intermediate.int_finance_ar_balances"
        ).fetchone()
        assert min(before) > 0, before  # rows to withdraw, and one the USD rate converts
        periods = "select count(*) from marts.fct_ar_balance_periods where invoice_id = 'INV-2'"
        assert con.execute(periods).fetchone()[0] > 0
    _load(warehouses, LATE_FILES, "2026-04-04 06:00:00")
    then = ["run", *select, "--vars", fixture_vars(as_of="2026-04-03")]
    for name, warehouse in warehouses.items():
        run = run_dbt(then, warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once") == {}
        for model in RECEIVABLES:
            withdrawn = f"select count(*) from {model} where loaded_at is null"
            assert con.execute(withdrawn).fetchone()[0] == 0, model
        # The daily build did restate: the renamed debtor and the new as_of snapshot.
        renamed = (
            "select count(*) filter (where debtor_name = 'Bob Smith'), count(*)"
            " from marts.fct_ar_ageing where debtor_id = 'D2'"
        )
        old_name, rows = con.execute(renamed).fetchone()
        assert old_name == 0 and rows > 0
        latest = "select max(snapshot_date) from marts.fct_ar_ageing_by_invoice_date"
        assert con.execute(latest).fetchone()[0] == date(2026, 4, 3)


def test_late_corrections_restate_case_days_and_agent_days_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    """Case C1 (agent AG1, opened 03-01) is reassigned to AG2 on 03-04 (event E9). Loaded a
    month late, on 04-04 with the same as-of date: E9 corrected to 03-06 and to AG3, a closing
    of C1 on 03-20, and a call of AG2 dated 03-03. The daily build must restate C1's days
    from 03-04 (AG2's days go, AG1's come back, the days after the closing go) and the agent
    days of AG1, AG2 and AG3 (caseload, the 03-05 payment of C1's debtor, the late call),
    none of them after the latest day it holds: the same rows as a build from scratch."""
    assigned = {
        "event_id": "E9", "case_id": "C1", "occurred_at": "2026-03-04 09:00:00",
        "event_type": "assigned", "actor_id": "SUP1", "payload": '{"agent_id": "AG2"}',
    }  # fmt: skip
    late = {
        ("cases_case_events", "cases/case_events_2026-04-04T0200.jsonl"): [
            assigned | {"occurred_at": "2026-03-06 09:00:00", "payload": '{"agent_id": "AG3"}'},
            {"event_id": "E10", "case_id": "C1", "occurred_at": "2026-03-20 10:00:00",
             "event_type": "closed", "actor_id": "AG3", "payload": '{"reason": "paid"}'},
        ],
        ("contacts_calls", "contacts/calls_2026-04-04T0200.csv"): [
            {"contact_id": "K9", "case_id": "C1", "debtor_id": "D2", "agent_id": "AG2",
             "direction": "outbound", "started_at": "2026-03-03 15:00:00", "duration_s": 20,
             "outcome": "no_answer"},
        ],
    }  # fmt: skip
    select = ["--select", "+fct_agent_daily", "--vars", fixture_vars(as_of=FIXTURE_AS_OF)]
    early = {("cases_case_events", "cases/case_events_2026-03-05T0200.jsonl"): [assigned]}
    warehouses = _daily_and_once(tmp_path, early, "2026-03-05 06:00:00")
    daily = warehouses["daily"]
    assert run_dbt(["run", *select], daily, tmp_path / "d").returncode == 0
    with duckdb.connect(str(daily)) as con:
        owners = "select distinct agent_id from intermediate.int_ops_case_days order by 1"
        assert [a for (a,) in con.execute(owners).fetchall()] == ["AG1", "AG2"]
    _load(warehouses, late, "2026-04-04 06:00:00")
    assert run_dbt(["run", *select], daily, tmp_path / "d").returncode == 0
    assert run_dbt(["run", *select], warehouses["once"], tmp_path / "o").returncode == 0
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        agents = "select distinct agent_id from marts.fct_agent_daily order by 1"
        assert [a for (a,) in con.execute(agents).fetchall()] == ["AG1", "AG2", "AG3"]
        last_day = "select max(day) from intermediate.int_ops_case_days"
        assert con.execute(last_day).fetchone()[0] == date(2026, 3, 20)
        assert differences(con, "daily", "once", ("intermediate", "marts")) == {}


def test_the_daily_case_file_restates_late_files_as_a_full_build_would(tmp_path: Path) -> None:
    """fct_case_file built as of 03-30 and then, after late files, incrementally as of 04-03
    equals a build from the same raw rows in one go. Before the first build: case C2 of D1,
    opened 04-01 (out of scope until the as-of date passes it, with no new file), and case C3
    of D1 opened 03-10. The late files: the receivables' (INV-6 of D2 with a December payment
    joins C1's ledger as open at its opening; INV-2 of D1 re-issued; D2 renamed), a call K9 of
    C1 dated 03-03, and C3 corrected to open on 04-10 (its file must go)."""
    select = ["--select", "+fct_case_file"]
    early = {
        ("cases_cases", "cases/cases_2026-03-10T0200.jsonl"): [
            {"case_id": "C2", "debtor_id": "D1", "opened_at": "2026-04-01 08:00:00",
             "placed_amount": "500.00", "currency": "EUR", "strategy": "standard",
             "agent_id": "AG1", "jurisdiction": "US", "updated_at": "2026-03-10 08:00:00"},
            {"case_id": "C3", "debtor_id": "D1", "opened_at": "2026-03-10 08:00:00",
             "placed_amount": "500.00", "currency": "EUR", "strategy": "standard",
             "agent_id": "AG1", "jurisdiction": "US", "updated_at": "2026-03-10 08:00:00"},
        ],
    }  # fmt: skip
    late = {
        ("contacts_calls", "contacts/calls_2026-04-02T0200.csv"): [
            {"contact_id": "K9", "case_id": "C1", "debtor_id": "D2", "agent_id": "AG1",
             "direction": "outbound", "started_at": "2026-03-03 15:00:00", "duration_s": 20,
             "outcome": "no_answer"},
        ],
        ("cases_cases", "cases/cases_2026-04-02T0200.jsonl"): [
            early[("cases_cases", "cases/cases_2026-03-10T0200.jsonl")][1]
            | {"opened_at": "2026-04-10 08:00:00", "updated_at": "2026-04-01 08:00:00"},
        ],
    }  # fmt: skip
    late |= LATE_FILES
    warehouses = _daily_and_once(tmp_path, early, "2026-03-10 06:00:00")
    daily = warehouses["daily"]
    first = ["run", *select, "--vars", fixture_vars(as_of="2026-03-30")]
    assert run_dbt(first, daily, tmp_path / "first").returncode == 0
    files = "select distinct case_id from marts.fct_case_file order by 1"
    with duckdb.connect(str(daily)) as con:
        assert [c for (c,) in con.execute(files).fetchall()] == ["C1", "C3"]
    _load(warehouses, late, "2026-04-04 06:00:00")
    then = ["run", *select, "--vars", fixture_vars(as_of="2026-04-03")]
    for name, warehouse in warehouses.items():
        run = run_dbt(then, warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once") == {}
        assert [c for (c,) in con.execute(files).fetchall()] == ["C1", "C2"]
        withdrawn = "select count(*) from marts.fct_case_file where loaded_at is null"
        assert con.execute(withdrawn).fetchone()[0] == 0
        c1 = "select source_id from marts.fct_case_file where case_id = 'C1' order by record_seq"
        assert {"K9", "INV-6"} <= {r for (r,) in con.execute(c1).fetchall()}


def _call(contact_id: str, started_at: str, case_id: str = "C3") -> dict[str, str | int]:
    debtor = {"C1": "D2"}.get(case_id, "D1")
    return {"contact_id": contact_id, "case_id": case_id, "debtor_id": debtor,
            "agent_id": "AG1", "direction": "outbound", "started_at": started_at,
            "duration_s": 20, "outcome": "no_answer"}  # fmt: skip


def _case_file_daily_and_once(
    tmp_path: Path, late_calls: list[dict[str, str | int]]
) -> tuple[list[tuple[str, str, datetime, bool]], datetime]:
    """Case C3 of D1 (opened 03-10; no breach, no customer or case record loaded after the
    first build) with calls K20 (03-12) and K21 (03-20): fct_case_file built as of 03-30, then
    `late_calls` loaded and the file built again as of the same date, and from the same raw
    rows in one go. Asserts the two equal; returns the daily file's rows (case_id, source_id,
    occurred_at, whether the row is the first build's: its load lineage unchanged) in order,
    and the first build's load lineage."""
    select = ["--select", "+fct_case_file"]
    early = {
        ("cases_cases", "cases/cases_2026-03-10T0200.jsonl"): [
            {"case_id": "C3", "debtor_id": "D1", "opened_at": "2026-03-10 08:00:00",
             "placed_amount": "500.00", "currency": "EUR", "strategy": "standard",
             "agent_id": "AG1", "jurisdiction": "US", "updated_at": "2026-03-10 08:00:00"},
        ],
        ("contacts_calls", "contacts/calls_2026-03-21T0200.csv"): [
            _call("K20", "2026-03-12 15:00:00"), _call("K21", "2026-03-20 15:00:00"),
        ],
    }  # fmt: skip
    warehouses = _daily_and_once(tmp_path, early, "2026-04-03 07:00:00")
    daily = warehouses["daily"]
    as_of = ["--vars", fixture_vars(as_of="2026-03-30")]
    assert run_dbt(["run", *select, *as_of], daily, tmp_path / "first").returncode == 0
    with duckdb.connect(str(daily)) as con:
        first_load = con.execute("select max(loaded_at) from marts.fct_case_file").fetchone()[0]
        breaches = "select count(*) from marts.fct_compliance_breaches where case_id = 'C3'"
        assert con.execute(breaches).fetchone()[0] == 0  # else its whole file is rewritten
    late = {("contacts_calls", "contacts/calls_2026-03-26T0200.csv"): late_calls}
    _load(warehouses, late, "2026-04-04 06:00:00")
    for name, warehouse in warehouses.items():
        run = run_dbt(["run", *select, *as_of], warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once") == {}
        withdrawn = "select count(*) from marts.fct_case_file where loaded_at is null"
        assert con.execute(withdrawn).fetchone()[0] == 0
        rows = con.execute(
            "select case_id, source_id, occurred_at, loaded_at = ? from marts.fct_case_file"
            " order by case_id, record_seq",
            [first_load],
        ).fetchall()
    return rows, first_load


def test_the_daily_case_file_rewrites_a_file_from_its_earliest_change_only(
    tmp_path: Path,
) -> None:
    """A day's new contacts rewrite the end of a case's file, not the whole of it: a late call
    K23 dated 03-15 and a new call K22 dated 03-25 arrive for C3. The daily file equals a
    build in one go, and its rows before 03-15 are the held ones (not rewritten), those from
    03-15 are new."""
    late = [_call("K23", "2026-03-15 15:00:00"), _call("K22", "2026-03-25 15:00:00")]
    rows, _ = _case_file_daily_and_once(tmp_path, late)
    c3 = [(source_id, at, held) for case, source_id, at, held in rows if case == "C3"]
    calls = [source_id for source_id, _, _ in c3 if source_id.startswith("K")]
    assert calls == ["K20", "K23", "K21", "K22"]
    kept = {held for _, occurred_at, held in c3 if occurred_at < datetime(2026, 3, 15, 15)}
    rewritten = {held for _, occurred_at, held in c3 if occurred_at >= datetime(2026, 3, 15, 15)}
    assert kept == {True} and rewritten == {False}, c3


def test_a_daily_case_file_that_shrinks_is_renumbered_and_loses_its_last_rows(
    tmp_path: Path,
) -> None:
    """A correction moves call K20 (03-12) from C3 to C1: C3's file is rewritten from 03-12,
    one row shorter (its held last row withdrawn, K21 renumbered), C1's from 03-12 with K20
    in it; both equal a build in one go (asserted by the helper)."""
    rows, _ = _case_file_daily_and_once(tmp_path, [_call("K20", "2026-03-12 15:00:00", "C1")])
    calls = {
        case: [s for c, s, _, _ in rows if c == case and s.startswith("K")] for case in ("C1", "C3")
    }
    assert calls["C3"] == ["K21"]
    assert "K20" in calls["C1"]
    c3_before = [
        held for case, _, at, held in rows if case == "C3" and at < datetime(2026, 3, 12, 15)
    ]
    assert c3_before and set(c3_before) == {True}


def test_a_call_re_sent_unchanged_does_not_rewrite_the_case_file(tmp_path: Path) -> None:
    """The night's file re-sends call K20 (03-12) unchanged beside a new call K22 (03-25):
    staging keeps citing K20's first file, so C3's file is rewritten from 03-25 only (before
    the change it was rewritten from 03-12, K20's re-sent row citing the new file). Equal to a
    build in one go (asserted by the helper)."""
    late = [_call("K20", "2026-03-12 15:00:00"), _call("K22", "2026-03-25 15:00:00")]
    rows, _ = _case_file_daily_and_once(tmp_path, late)
    c3 = [(source_id, at, held) for case, source_id, at, held in rows if case == "C3"]
    assert [s for s, _, _ in c3 if s.startswith("K")] == ["K20", "K21", "K22"]
    assert {held for source_id, _, held in c3 if source_id != "K22"} == {True}, c3
    assert {held for source_id, _, held in c3 if source_id == "K22"} == {False}, c3


# Cases C2 of D1 and C3 of D2, opened 01-05 (in the reminder stage from then on): rows on the
# month ends 01-31 and 02-28 besides C1's (D2: its promise eve 03-01) and the as_of rows.
# fmt: off
SCORED_CASES: RawRows = {
    ("cases_cases", "cases/cases_2026-01-06T0200.jsonl"): [
        {"case_id": case_id, "debtor_id": debtor_id, "opened_at": "2026-01-05 08:00:00",
         "placed_amount": "500.00", "currency": "EUR", "strategy": "standard",
         "agent_id": "AG1", "jurisdiction": "DE", "updated_at": "2026-01-05 08:00:00"}
        for case_id, debtor_id in (("C2", "D1"), ("C3", "D2"))
    ],
    ("cases_case_events", "cases/case_events_2026-01-06T0200.jsonl"): [
        {"event_id": f"E{case_id}", "case_id": case_id, "occurred_at": "2026-01-05 09:00:00",
         "event_type": "stage_changed", "actor_id": "system", "payload": '{"stage": "reminder"}'}
        for case_id in ("C2", "C3")
    ],
}
# fmt: on
SCORE_FEATURES = "intermediate.int_case_score_features"


def _score_features_daily_and_once(
    tmp_path: Path, late: RawRows
) -> tuple[dict[tuple[str, date], tuple[bool, Any]], dict[tuple[str, date], Any]]:
    """The score features (and their marts) of RAW_FILES and SCORED_CASES built as of 03-30,
    then the `late` files (table, file -> rows) loaded and built incrementally as of 04-03,
    and from the same raw rows in one go. Asserts the two equal, the previous as_of's rows
    (03-30: neither a month end nor a promise eve) withdrawn; returns the daily build's rows
    (case_id, scoring_date) -> (whether the first build's row is kept: its load lineage
    unchanged, open_amount_rc), and the first build's open_amount_rc by row."""
    select = ["--select", "+fct_case_score_features", "+fct_promise_score_features"]
    warehouses = _daily_and_once(tmp_path, SCORED_CASES, "2026-04-03 06:00:00")
    daily = warehouses["daily"]
    first = ["run", *select, "--vars", fixture_vars(as_of="2026-03-30")]
    assert run_dbt(first, daily, tmp_path / "first").returncode == 0
    features = f"select case_id, scoring_date, loaded_at, open_amount_rc from {SCORE_FEATURES}"
    with duckdb.connect(str(daily)) as con:
        held = {(c, d): (at, amount) for c, d, at, amount in con.execute(features).fetchall()}
    assert (("C2", date(2026, 1, 31)) in held) and (("C3", date(2026, 2, 28)) in held), held
    _load(warehouses, late, "2026-04-04 06:00:00")
    then = ["run", *select, "--vars", fixture_vars(as_of="2026-04-03")]
    for name, warehouse in warehouses.items():
        run = run_dbt(then, warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once", ("intermediate", "marts")) == {}
        rows = {
            (c, d): (held.get((c, d), (None,))[0] == at, amount)
            for c, d, at, amount in con.execute(features).fetchall()
        }
    assert all(d != date(2026, 3, 30) for _, d in rows)
    assert ("C2", date(2026, 4, 3)) in rows
    return rows, {key: amount for key, (_, amount) in held.items()}


def test_a_late_payment_correction_restates_the_score_features_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    """Loaded on 04-04: payment A1 to INV-1 (D1) corrected from 400.00 to 600.00 (bank value
    date 02-15), and an old payment A5 of 100.00 to INV-2 (D1) allocated on 01-25 with no bank
    entry. The daily build restates D1's rows (case C2) from 01-25: its open amount falls by
    100.00 at 01-31 and by 300.00 at 02-28; D2's rows (C1, C3) stay as built; both equal a
    build in one go (asserted by the helper)."""
    late = {
        ("erp_payment_allocations", "erp/payment_allocations_2026-04-04T0200.csv"): [
            {"allocation_id": "A1", "payment_ref": "B1", "invoice_id": "INV-1",
             "amount": "600.00", "allocated_at": "2026-02-16 10:00:00"},
            {"allocation_id": "A5", "payment_ref": "B-OLD", "invoice_id": "INV-2",
             "amount": "100.00", "allocated_at": "2026-01-25 10:00:00"},
        ],
    }  # fmt: skip
    rows, before = _score_features_daily_and_once(tmp_path, late)
    for scoring_date, paid in ((date(2026, 1, 31), 100), (date(2026, 2, 28), 300)):
        kept, amount = rows[("C2", scoring_date)]
        assert not kept and amount == before[("C2", scoring_date)] - paid, scoring_date
    untouched = [
        kept for (case, d), (kept, _) in rows.items() if case != "C2" and d < date(2026, 3, 30)
    ]
    assert untouched and all(untouched), rows


def test_a_daily_build_leaves_the_score_features_of_untouched_debtors_as_built(
    tmp_path: Path,
) -> None:
    """A late call on C2 (D1) dated 02-20: the daily build rewrites D1's rows from 02-20 only
    (C2's 01-31 row is kept), and no row of D2 (C1's promise eve, C3's month ends) before the
    last build's as-of date (03-30; the month end 03-31 it passed is new). Equal to a build in
    one go (asserted by the helper)."""
    late = {
        ("contacts_calls", "contacts/calls_2026-04-04T0200.csv"): [
            _call("K30", "2026-02-20 15:00:00", "C2"),
        ],
    }
    rows, _ = _score_features_daily_and_once(tmp_path, late)
    assert rows[("C2", date(2026, 1, 31))][0]
    assert not rows[("C2", date(2026, 2, 28))][0]
    d2 = {key: kept for key, (kept, _) in rows.items() if key[0] in ("C1", "C3")}
    old = {key: kept for key, kept in d2.items() if key[1] < date(2026, 3, 30)}
    assert ("C1", date(2026, 3, 1)) in old and ("C3", date(2026, 1, 31)) in old
    assert all(old.values()), old


def test_an_invoice_moved_to_another_debtor_restates_its_prepayment_days(
    tmp_path: Path,
) -> None:
    """Loaded on 04-04: INV-3 (D1, issued 02-01, paid by A2 on 02-20) corrected to debtor D2
    and re-issued on 03-10, so its payment of 02-20 is now D2's and precedes the new issue
    date. The daily build restates D2's rows from the payment's date (C3's month end 02-28),
    not only from the invoice's dates, and D1's from 02-01; equal to a build in one go
    (asserted by the helper)."""
    late = {
        ("erp_invoices", "erp/invoices_2026-04-04T0200.csv"): [
            {"invoice_id": "INV-3", "debtor_id": "D2", "invoice_number": "2026-003",
             "document_type": "invoice", "issue_date": "2026-03-10", "due_date": "2026-04-09",
             "amount": "300.00", "currency": "EUR", "updated_at": "2026-04-01 09:00:00"},
        ],
    }  # fmt: skip
    rows, _ = _score_features_daily_and_once(tmp_path, late)
    assert not rows[("C3", date(2026, 2, 28))][0]
    assert rows[("C3", date(2026, 1, 31))][0]


def test_the_daily_channel_attributions_restate_late_files_as_a_full_build_would(
    tmp_path: Path,
) -> None:
    """int_channel_contacts, int_channel_payments and fct_channel_effectiveness built as of
    03-30 and then, after late files, incrementally as of 04-03 equal a build from the same raw
    rows in one go. Before the first build: case C1 (D2) has the letter M1 (03-01 12:00), the
    call K1 (03-02 10:00, before promise P1 at 10:30) and payment A3 (03-05, USD, by K1). The
    late files: K1 re-dated after the as-of date (its row withdrawn: P1 and A3 go to M1), a
    stage event of 03-01 10:00 putting C1 in `negotiation` before M1, D2 moved to segment
    B2B (its whole history), the USD rate of 03-02 corrected (the mart converts A3 at it), a
    new case C2 of D1 with a call K2 of 02-10 and an SMS M2 of 02-14 (A1 of 02-15 and A2 of
    02-20 go to M2), a call K3 of C2 dated 04-01 and a payment A5 to D1 on 04-02 (by K3), both
    brought in by the later as-of date. Case C3 of D3, with a call K5 of 03-03 (before the
    latest payment held, 03-05), gets a late payment A6 of 03-25: D3 is restated from 03-25
    only, and A6 still goes to K5, 22 days before (the batch reads a payment's 30 days of
    contacts). Case C9, in no cases file, has a call K9 of 03-10 filed under the debtor it
    names (D4); a late stage event of 03-09 puts K9 in `negotiation`."""
    select = ["--select", "+fct_channel_effectiveness"]
    late = {
        ("contacts_calls", "contacts/calls_2026-04-04T0200.csv"): [
            _call("K1", "2026-04-05 10:00:00", "C1") | {"outcome": "promise_to_pay"},
            _call("K2", "2026-02-10 10:00:00", "C2") | {"outcome": "right_party_contact"},
            _call("K3", "2026-04-01 10:00:00", "C2"),
        ],
        ("contacts_messages", "contacts/messages_2026-04-04T0200.jsonl"): [
            {"contact_id": "M2", "case_id": "C2", "debtor_id": "D1", "channel": "sms",
             "direction": "outbound", "sent_at": "2026-02-14 12:00:00",
             "template_id": "reminder", "outcome": "delivered"},
        ],
        ("cases_cases", "cases/cases_2026-04-04T0200.jsonl"): [
            {"case_id": "C2", "debtor_id": "D1", "opened_at": "2026-02-01 08:00:00",
             "placed_amount": "500.00", "currency": "EUR", "strategy": "standard",
             "agent_id": "AG1", "jurisdiction": "DE", "updated_at": "2026-04-01 08:00:00"},
        ],
        ("cases_case_events", "cases/case_events_2026-04-04T0200.jsonl"): [
            {"event_id": "E3", "case_id": "C1", "occurred_at": "2026-03-01 10:00:00",
             "event_type": "stage_changed", "actor_id": "system",
             "payload": '{"stage": "negotiation"}'},
            {"event_id": "E9", "case_id": "C9", "occurred_at": "2026-03-09 09:00:00",
             "event_type": "stage_changed", "actor_id": "system",
             "payload": '{"stage": "negotiation"}'},
        ],
        ("erp_customers", "erp/customers_2026-04-04T0200.csv"): [
            {"debtor_id": "D2", "name": "Bob Smith", "segment": "B2B", "country": "US",
             "timezone": "America/New_York", "currency": "USD",
             "updated_at": "2026-04-01 10:00:00"},
        ],
        ("erp_payment_allocations", "erp/payment_allocations_2026-04-04T0200.csv"): [
            {"allocation_id": "A5", "payment_ref": "B5", "invoice_id": "INV-1",
             "amount": "25.00", "allocated_at": "2026-04-02 10:00:00"},
            {"allocation_id": "A6", "payment_ref": "B6", "invoice_id": "INV-9",
             "amount": "40.00", "allocated_at": "2026-03-25 10:00:00"},
        ],
        ("fx_rates", "fx/fx_rates_2026-04-04T1800.csv"): [
            {"rate_date": "2026-03-02", "currency": "USD", "rate_to_reporting": "0.9500000000"},
        ],
    }  # fmt: skip
    early = {
        ("cases_cases", "cases/cases_2026-03-11T0200.jsonl"): [
            {"case_id": "C3", "debtor_id": "D3", "opened_at": "2026-03-01 08:00:00",
             "placed_amount": "90.00", "currency": "EUR", "strategy": "standard",
             "agent_id": "AG1", "jurisdiction": "DE", "updated_at": "2026-03-01 08:00:00"},
        ],
        ("contacts_calls", "contacts/calls_2026-03-11T0200.csv"): [
            _call("K5", "2026-03-03 10:00:00", "C3") | {"debtor_id": "D3"},
            _call("K9", "2026-03-10 10:00:00", "C9") | {"debtor_id": "D4"},
        ],
        ("erp_invoices", "erp/invoices_2026-03-11T0200.csv"): [
            {"invoice_id": "INV-9", "debtor_id": "D3", "invoice_number": "2026-009",
             "document_type": "invoice", "issue_date": "2026-03-06", "due_date": "2026-03-06",
             "amount": "90.00", "currency": "EUR", "updated_at": "2026-03-06 09:00:00"},
        ],
    }  # fmt: skip
    warehouses = _daily_and_once(tmp_path, early, "2026-03-11 06:00:00")
    daily = warehouses["daily"]
    first = ["run", *select, "--vars", fixture_vars(as_of="2026-03-30")]
    assert run_dbt(first, daily, tmp_path / "first").returncode == 0
    k5 = "select loaded_at from intermediate.int_channel_contacts where contact_id = 'K5'"
    with duckdb.connect(str(daily)) as con:
        k5_loaded = con.execute(k5).fetchone()[0]
    attributed = (
        "select allocation_id, contact_id, stage, segment"
        " from intermediate.int_channel_payments order by 1"
    )
    with duckdb.connect(str(daily)) as con:
        assert con.execute(attributed).fetchall() == [("A3", "K1", "reminder", "B2C")]
    _load(warehouses, late, "2026-04-04 06:00:00")
    then = ["run", *select, "--vars", fixture_vars(as_of="2026-04-03")]
    for name, warehouse in warehouses.items():
        run = run_dbt(then, warehouse, tmp_path / name)
        assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(daily)) as con:
        con.execute(f"attach '{warehouses['once']}' as once (read_only)")
        assert differences(con, "daily", "once", ("intermediate", "marts")) == {}
        assert con.execute(attributed).fetchall() == [
            ("A1", "M2", "none", "B2B"),
            ("A2", "M2", "none", "B2B"),
            ("A3", "M1", "negotiation", "B2B"),
            ("A5", "K3", "none", "B2B"),
            ("A6", "K5", "none", "unknown"),
        ]
        for model in ("int_channel_contacts", "int_channel_payments"):
            withdrawn = f"select count(*) from intermediate.{model} where loaded_at is null"
            assert con.execute(withdrawn).fetchone()[0] == 0, model
        promises = "select contact_id, promises from intermediate.int_channel_contacts order by 1"
        assert con.execute(promises).fetchall() == [
            ("K2", 0), ("K3", 0), ("K5", 0), ("K9", 0), ("M1", 1), ("M2", 0),
        ]  # fmt: skip
        # C9 is in no cases file: its late stage event restates the debtor K9 names.
        k9 = "select stage from intermediate.int_channel_contacts where contact_id = 'K9'"
        assert con.execute(k9).fetchone()[0] == "negotiation"
        # D3 is restated from A6's day only: K5's row stands as written, read for A6.
        assert con.execute(k5).fetchone()[0] == k5_loaded
