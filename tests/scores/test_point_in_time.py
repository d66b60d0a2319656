"""No feature of the case scores leaks the future (issue 19): every feature and score of a case
or promise as of a past date, read from a warehouse built at the end of the history, equals the
one read from a warehouse built from the files extracted by that date, as of it.

The history is a tiny world extracted night by night (`generate(..., daily=True)`: the file
stamped 02:00 on a day holds the day before), so a warehouse as of any day can be rebuilt from
the files of its nights. The later warehouse is built as of SAMPLE_AS_OF; the earlier one from
the files extracted by the night after SCORING_DATE, as of that night, so it knows the history
up to SCORING_DATE and nothing after. Between the two, the cases open at SCORING_DATE receive
payments, promises (kept and broken), contacts, disputes and stage moves (asserted: the test
cannot pass on an empty window), and every month end up to SCORING_DATE and every promise made
by then is compared feature by feature, and scored by a model trained on the later warehouse.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from amicable.scores.explain import reasons
from amicable.scores.spec import CASES_TABLE, PROMISES_TABLE, SCORES
from amicable.scores.training import matrix, train
from amicable.settings import Settings
from orchestration.build import run_build
from sample_data import generate
from tests.conftest import SAMPLE_AS_OF, TRAIN_DEBTORS
from tests.conftest import TRAIN_SEED as SEED

SCORING_DATE = date(2026, 8, 31)  # a month end 81 days before SAMPLE_AS_OF
EARLIER_AS_OF = SCORING_DATE + timedelta(days=1)  # its night's files hold SCORING_DATE
# Every feature of int_case_score_features (the specs' and the baseline debtor_kept_share).
FEATURES = sorted({f for spec in SCORES.values() for f in spec.features}) + [
    "debtor_id",
    "debtor_kept_share",
]
# Each table's rows as of SCORING_DATE: the case features at every month end up to it; the
# promises made by it (a promise's row is its eve: one made the day after has its eve on
# SCORING_DATE but is not known yet).
ROWS = {CASES_TABLE: "scoring_date <= ?", PROMISES_TABLE: "scoring_date < ?"}
KEYS = {CASES_TABLE: ["case_id", "scoring_date"], PROMISES_TABLE: ["promise_id"]}


def _stamp(rel: Path) -> date | None:
    found = re.search(r"\d{4}-\d{2}-\d{2}", rel.name)
    return date.fromisoformat(found.group()) if found else None


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    """(later, earlier): the night-by-night world built as of SAMPLE_AS_OF, and built from the
    files extracted by EARLIER_AS_OF (every file is stamped) as of EARLIER_AS_OF."""
    root = tmp_path_factory.mktemp("point_in_time")
    landing = root / "landing"
    generate(landing, size="tiny", seed=SEED, as_of=SAMPLE_AS_OF, debtors=TRAIN_DEBTORS, daily=True)
    later = Settings(landing=landing, warehouse=root / "later.duckdb", as_of=SAMPLE_AS_OF)
    earlier = Settings(
        landing=root / "earlier_landing", warehouse=root / "earlier.duckdb", as_of=EARLIER_AS_OF
    )
    for path in landing.rglob("*"):
        rel = path.relative_to(landing)
        if not path.is_file() or rel.parts[0] == "_labels":
            continue
        stamped = _stamp(rel)
        assert stamped is not None, rel
        if stamped <= EARLIER_AS_OF:
            (earlier.landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, earlier.landing / rel)
    for settings in (later, earlier):
        outcome = run_build(settings)
        assert outcome.ok, [c.check for c in outcome.failed_blocking_checks]
    return later, earlier


def _query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _corrected_after(landing: Path, warehouse: Path, day: date) -> set[str]:
    """The cases a late correction extracted after `day` rewrites (the generator's labels): a
    corrected case record, or an invoice of the case's debtor. A correction restates the past
    (DESIGN.md §3: the latest version wins), so those rows may differ, and are left out."""
    labels = (landing / "_labels" / "defects.jsonl").read_text(encoding="utf-8")
    corrected = [
        label
        for label in map(json.loads, labels.splitlines())
        if label["kind"] == "late_correction" and _stamp(Path(label["file"])) > day
    ]
    assert {label["table"] for label in corrected} <= {"cases_cases", "erp_invoices"}
    cases = {label["key"] for label in corrected if label["table"] == "cases_cases"}
    invoices = [label["key"] for label in corrected if label["table"] == "erp_invoices"]
    if invoices:
        rows = _query(
            warehouse,
            "select distinct cases.case_id from staging.stg_cases__cases as cases "
            "inner join staging.stg_erp__invoices as invoices using (debtor_id) "
            "where invoices.invoice_id in (select unnest(?))",
            [invoices],
        )
        cases |= {case_id for (case_id,) in rows}
    return cases


def _rows(warehouse: Path, table: str, leave_out: set[str]) -> pd.DataFrame:
    keys = KEYS[table]
    columns = ", ".join(dict.fromkeys([*keys, "case_id", "scoring_date", *FEATURES]))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(
            f"select {columns} from {table} where {ROWS[table]} order by {', '.join(keys)}",
            [SCORING_DATE],
        ).df()
    return frame[~frame["case_id"].isin(leave_out)].reset_index(drop=True)


# What happens to the cases open at SCORING_DATE ($open) after a day ($day), by the warehouse's
# horizon: each query counts one kind of event.
OPEN_AT = f"(select case_id from {CASES_TABLE} where scoring_date = $scoring_date)"
EVENTS_AFTER = {
    "payments": "select count(*) from intermediate.int_payment_allocations_dated as payments "
    "inner join staging.stg_erp__invoices as invoices using (invoice_id) "
    "inner join staging.stg_cases__cases as cases using (debtor_id) "
    "where payments.payment_date > $day and cases.case_id in $open",
    "payments of SCORING_DATE or before, posted later": "select count(*) "
    "from intermediate.int_payment_allocations_dated as payments "
    "inner join staging.stg_erp__invoices as invoices using (invoice_id) "
    "inner join staging.stg_cases__cases as cases using (debtor_id) "
    "where payments.payment_date <= $scoring_date and cast(payments.allocated_at as date) > $day "
    "and cases.case_id in $open",
    "promises kept": "select count(*) from marts.fct_promises where outcome = 'kept' "
    "and cast(made_at as date) > $day and case_id in $open",
    "promises broken": "select count(*) from marts.fct_promises where outcome = 'broken' "
    "and cast(made_at as date) > $day and case_id in $open",
    "contacts": "select count(*) from intermediate.int_ops_case_contacts "
    "where contact_date > $day and case_id in $open",
    "right-party contacts": "select count(*) from intermediate.int_ops_case_contacts "
    "where is_right_party_contact and contact_date > $day and case_id in $open",
    "disputes opened": "select count(*) from staging.stg_cases__case_events "
    "where event_type = 'dispute_opened' and cast(occurred_at as date) > $day "
    "and case_id in $open",
    "disputes resolved": "select count(*) from staging.stg_cases__case_events "
    "where event_type = 'dispute_resolved' and cast(occurred_at as date) > $day "
    "and case_id in $open",
    "stage moves": "select count(*) from intermediate.int_ops_case_stays "
    "where cast(entered_at as date) > $day and case_id in $open",
}


def _events_after(warehouse: Path, day: date) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            kind: con.execute(
                sql.replace("$open", OPEN_AT), {"day": day, "scoring_date": SCORING_DATE}
            ).fetchone()[0]
            for kind, sql in EVENTS_AFTER.items()
        }


def test_the_window_after_the_scoring_date_holds_every_kind_of_event(
    warehouses: tuple[Settings, Settings],
) -> None:
    """The later warehouse holds each kind of event a feature reads, dated after
    EARLIER_AS_OF, on the cases open at SCORING_DATE; the earlier warehouse holds none (its
    last night's files hold SCORING_DATE and the first hours of EARLIER_AS_OF), and the same
    cases are open at SCORING_DATE in both."""
    later, earlier = warehouses
    after = _events_after(later.warehouse, EARLIER_AS_OF)
    assert all(count >= 1 for count in after.values()), after
    assert _events_after(earlier.warehouse, EARLIER_AS_OF) == dict.fromkeys(EVENTS_AFTER, 0)
    open_at = f"select case_id from {CASES_TABLE} where scoring_date = ? order by 1"
    cases = _query(later.warehouse, open_at, [SCORING_DATE])
    assert len(cases) >= 50
    assert cases == _query(earlier.warehouse, open_at, [SCORING_DATE])


@pytest.mark.parametrize("table", [CASES_TABLE, PROMISES_TABLE])
def test_features_as_of_a_past_date_equal_a_warehouse_built_then(
    warehouses: tuple[Settings, Settings], table: str
) -> None:
    """Every feature of every row as of SCORING_DATE (month ends, promises made by then) is
    the same in both warehouses, but for the cases a correction extracted later restates; so
    is every score of a model trained on the later warehouse (its probability and reasons)."""
    later, earlier = warehouses
    corrected = _corrected_after(later.landing, later.warehouse, EARLIER_AS_OF)
    assert 0 < len(corrected) <= 30
    now = _rows(later.warehouse, table, corrected)
    then = _rows(earlier.warehouse, table, corrected)
    assert len(then) >= (300 if table == CASES_TABLE else 100), len(then)
    assert then["scoring_date"].nunique() >= (10 if table == CASES_TABLE else 50)
    pd.testing.assert_frame_equal(then, now)

    with duckdb.connect(str(later.warehouse), read_only=True) as con:
        history = con.execute(f"select * from {table}").df()
    scores = [spec for spec in SCORES.values() if spec.table == table]
    assert scores
    for spec in scores:
        model = train(history, spec)
        scored = {}
        for name, frame in (("then", then), ("now", now)):
            x = matrix(frame, spec)
            scored[name] = (
                model.model.predict_proba(x)[:, 1],
                reasons(model.model, x, model.reference, spec),
            )
        np.testing.assert_array_equal(scored["then"][0], scored["now"][0], err_msg=spec.name)
        assert scored["then"][1] == scored["now"][1], spec.name
