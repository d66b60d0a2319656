"""Case scores (issue 19): point-in-time features, the payer ranking, missing and stale models.

The leak test builds the shared tiny sample's first extraction alone (files stamped as_of - 7
days: what was known then) as of that day, and finds every feature of every month end equal
to the full build's. The score tests build a larger tiny world (TRAIN_DEBTORS debtors, seed 7)
once, train through the CLI, and check what the scores say against the generator's own
payment habits."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import joblib
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from amicable.cli import main
from amicable.scores import store
from amicable.scores.spec import FEATURES_TABLE, PAY_WITHIN_30_DAYS
from amicable.scores.training import matrix
from amicable.settings import Settings
from orchestration.build import run_build
from sample_data.days import Clock
from sample_data.generator import SIZES
from sample_data.simulate import debtor_rng
from sample_data.world import make_debtor
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.scores.conftest import SEED, TRAIN_DEBTORS

FIRST_EXTRACTION = SAMPLE_AS_OF - timedelta(days=7)  # the tiny sample's earlier files
# The generator's payers (every habit but non_payer) must be ranked above its non-payers with
# a ROC AUC of at least 0.5 + MARGIN on the cases scored after the calibration slice.
MARGIN = 0.15
FEATURES = [*PAY_WITHIN_30_DAYS.features, "debtor_id"]


def _features(warehouse: Path, until: date, leave_out: set[str]) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(
            f"select case_id, scoring_date, {', '.join(FEATURES)} from {FEATURES_TABLE} "
            "where scoring_date <= ? order by case_id, scoring_date",
            [until],
        ).df()
    for col in PAY_WITHIN_30_DAYS.numeric:
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    return frame[~frame["case_id"].isin(leave_out)].reset_index(drop=True)


def _known_by(rel: Path, day: date) -> bool:
    """A landing file extracted by the end of `day`; the reference files (FX rates, agents),
    extracted only at as_of, are taken too: the rate or agent of a past date does not change."""
    stamp = re.search(r"\d{4}-\d{2}-\d{2}", rel.name)
    reference = rel.parts[0] == "fx" or rel.name.startswith("agents_")
    return reference or (stamp is not None and date.fromisoformat(stamp.group()) <= day)


def _corrected_later(sample_build: SampleBuild, day: date) -> set[str]:
    """The cases a late correction extracted after `day` rewrites (the generator's labels): a
    corrected case record, or an invoice of the case's debtor. A correction restates the past
    (DESIGN.md §3: the latest version wins), so those rows may differ, and are left out."""
    corrected = [
        label
        for label in sample_build.labels("defects")
        if label["kind"] == "late_correction" and not _known_by(Path(label["file"]), day)
    ]
    cases = {lb["key"] for lb in corrected if lb["table"] == "cases_cases"}
    invoices = [lb["key"] for lb in corrected if lb["table"] == "erp_invoices"]
    assert {lb["table"] for lb in corrected} <= {"cases_cases", "erp_invoices"}
    if invoices:
        rows = sample_build.query(
            "select distinct cases.case_id from staging.stg_cases__cases as cases "
            "inner join staging.stg_erp__invoices as invoices using (debtor_id) "
            "where invoices.invoice_id in (select unnest(?))",
            [invoices],
        )
        cases |= {case_id for (case_id,) in rows}
    return cases


def test_features_use_nothing_after_their_date(sample_build: SampleBuild, tmp_path: Path) -> None:
    """A warehouse built from the files extracted by FIRST_EXTRACTION, as of that day, knows
    nothing after it; the full build's features at every month end before it are the same,
    but for the cases a later correction restates."""
    landing = tmp_path / "landing"
    for path in sample_build.settings.landing.rglob("*"):
        rel = path.relative_to(sample_build.settings.landing)
        if path.is_file() and rel.parts[0] != "_labels" and _known_by(rel, FIRST_EXTRACTION):
            (landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, landing / rel)
    earlier = Settings(
        landing=landing, warehouse=tmp_path / "earlier.duckdb", as_of=FIRST_EXTRACTION
    )
    outcome = run_build(earlier)
    # November's bank statement comes with the later files, so allocations of early November
    # point to bank entries not loaded yet: the one check that keeps this build unpublished.
    assert {c.check for c in outcome.failed_blocking_checks} <= {
        "relationships_stg_erp__payment_allocations_payment_ref__entry_ref__ref_stg_bank__entries_"
    }
    built = outcome.rejected or earlier.warehouse
    last_month_end = FIRST_EXTRACTION.replace(day=1) - timedelta(days=1)
    corrected = _corrected_later(sample_build, FIRST_EXTRACTION)
    assert 0 < len(corrected) <= 5
    then = _features(built, last_month_end, corrected)
    now = _features(sample_build.settings.warehouse, last_month_end, corrected)
    assert len(then) > 50  # open cases at several month ends
    assert then["scoring_date"].nunique() >= 6
    pd.testing.assert_frame_equal(then, now, check_dtype=False)


def test_labels_wait_for_their_window(sample_build: SampleBuild) -> None:
    """A label is set exactly when its window has closed by as_of."""
    rows = sample_build.query(
        f"select scoring_date, paid_within_30_days, referred_within_90_days from {FEATURES_TABLE}"
    )
    assert rows
    for day, paid, referred in rows:
        assert (paid is None) == (day + timedelta(days=30) > SAMPLE_AS_OF)
        assert (referred is None) == (day + timedelta(days=90) > SAMPLE_AS_OF)


def _habits(n: int) -> dict[str, str]:
    clock = Clock.of(SAMPLE_AS_OF)
    profile = SIZES["tiny"].profile
    return {
        debtor.debtor_id: debtor.habit
        for debtor in (
            make_debtor(idx, debtor_rng(SEED, idx), clock, profile=profile) for idx in range(n)
        )
    }


def test_scores_rank_the_generators_payers_above_its_non_payers(trained: Path) -> None:
    """Every held-out row (scoring dates after the calibration slice, as_of included) scored
    by the stored model: the payers' scores rank above the non-payers' (ROC AUC)."""
    with duckdb.connect(str(trained), read_only=True) as con:
        model = store.status(con, PAY_WITHIN_30_DAYS, store.as_of(con))
        calibration_to = con.execute(
            "select calibration_to from scores.models where version = ?", [model.version]
        ).fetchone()[0]
        frame = con.execute(
            f"select * from {FEATURES_TABLE} where scoring_date > ?", [calibration_to]
        ).df()
    assert model.usable, model.message
    saved = joblib.load(model.path)
    p = saved["model"].predict_proba(matrix(frame, PAY_WITHIN_30_DAYS))[:, 1]
    habits = _habits(TRAIN_DEBTORS)
    payer = frame["debtor_id"].map(lambda d: habits[d] != "non_payer")
    assert payer.nunique() == 2
    assert roc_auc_score(payer, p) >= 0.5 + MARGIN


def test_open_cases_are_scored_with_three_reasons(trained: Path) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        scores = store.latest_scores(con, PAY_WITHIN_30_DAYS.name)
        open_cases = con.execute(
            f"select case_id from {FEATURES_TABLE} where is_as_of order by case_id"
        ).fetchall()
    assert sorted(scores["case_id"]) == [c for (c,) in open_cases]
    assert scores["probability"].between(0, 1).all()
    assert (scores["as_of"] == pd.Timestamp(SAMPLE_AS_OF)).all()
    assert scores["reason_1"].notna().any()
    first = scores["reason_1"].dropna().iloc[0]
    assert " it " in first and first.endswith(" points")


def test_a_missing_or_stale_model_is_reported_and_not_used(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        model = store.status(con, PAY_WITHIN_30_DAYS, store.as_of(con))
        history_to = con.execute(
            "select history_to from scores.models where version = ?", [model.version]
        ).fetchone()[0]
        late = history_to + timedelta(days=store.MAX_AGE_DAYS + 1)
        stale = store.status(con, PAY_WITHIN_30_DAYS, late)
        early = store.status(con, PAY_WITHIN_30_DAYS, history_to - timedelta(days=1))
    assert model.usable
    assert not stale.usable
    assert stale.message == (
        f"score pay_within_30_days: model {model.version} is stale and was not used: its "
        f"history ends {history_to}, {store.MAX_AGE_DAYS + 1} days before as-of {late} "
        f"(more than {store.MAX_AGE_DAYS}); train again"
    )
    assert not early.usable and "after as-of" in early.message

    moved = model.path.with_suffix(".moved")
    model.path.rename(moved)
    try:
        capsys.readouterr()
        assert main(["scores", "score", "--warehouse", str(trained)]) == 1
        out = capsys.readouterr().out.strip().splitlines()
        assert out == [
            f"score pay_within_30_days: model {model.version} is stale and was not used: its "
            f"file {model.path} is missing; train again"
        ]
    finally:
        moved.rename(model.path)
    assert main(["scores", "score", "--warehouse", str(trained)]) == 0


def test_scoring_without_a_model_says_so(
    sample_build: SampleBuild, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(sample_build.settings.warehouse), read_only=True) as con:
        status = store.status(con, PAY_WITHIN_30_DAYS, SAMPLE_AS_OF)
    assert not status.usable
    assert status.message == "score pay_within_30_days: no model: run `amicable scores train`"
