"""The expected cash page's score-weighted figures (dashboards/views/cash.py): on the trained
tiny world (`trained`, conftest.py) each pending promise is weighted by its case's promise_kept
probability of the latest scoring run, recomputed here from scores.case_scores and the mart; on
the shared sample, which has no trained model, the page says the measured rate stands alone."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from amicable.scores import store
from amicable.scores.spec import PROMISE_KEPT
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import metrics, open_page


def test_each_promise_is_weighted_by_its_cases_promise_kept_score(
    trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        scores = store.latest_scores(con, PROMISE_KEPT.name)
        promises = con.execute(
            "select case_id, is_due_within_7_days, remaining_amount_rc from marts.fct_cash_expected"
        ).fetchall()
    probability = dict(zip(scores["case_id"], scores["probability"], strict=True))
    scored = [
        (soon, float(left) * probability[c]) for c, soon, left in promises if c in probability
    ]
    assert len(scored) >= 5  # pending promises on scored cases
    within_7 = sum(amount for soon, amount in scored if soon)
    within_30 = sum(amount for _, amount in scored)

    page = open_page("cash", trained, monkeypatch)

    assert not page.exception
    shown = metrics(page)
    assert shown["Weighted by score, next 7 days (EUR)"] == f"{within_7:,.2f}"
    assert shown["Weighted by score, next 30 days (EUR)"] == f"{within_30:,.2f}"
    assert 0 < within_30 < float(sum(left for _, _, left in promises))
    captions = " ".join(caption.value for caption in page.caption)
    assert f"model {scores['model_version'].iloc[0]}" in captions
    unscored = len(promises) - len(scored)
    assert (f"{unscored} promises whose case that run did not score" in captions) == (unscored > 0)


def test_without_scores_the_measured_rate_stands_alone(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("cash", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    assert [info.value for info in page.info] == [
        "No promise_kept scores for these promises (score promise_kept: no model: run "
        "`amicable scores train`): the weighting by the measured kept rate above stands alone."
    ]
    assert not any(label.startswith("Weighted by score") for label in metrics(page))
