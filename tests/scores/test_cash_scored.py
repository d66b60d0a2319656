"""The expected cash page's score-weighted figures (dashboards/views/cash.py): scoring writes
each pending promise's promise_kept probability from its own promise-eve row
(scores.promise_scores) and the page reads exactly those, joined on promise_id; on a hand-made
warehouse the figures are checked by hand; on the shared sample, which has no trained model,
the page says the measured rate stands alone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from amicable.scores import store
from amicable.scores.spec import PROMISE_KEPT, PROMISES_TABLE
from dashboards import queries
from tests.conftest import SAMPLE_AS_OF, SampleBuild
from tests.dashboards.apptest_support import metrics, open_page


def test_scoring_scores_each_pending_promise_from_its_eve(trained: Path) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        scored = store.latest_promise_scores(con, PROMISE_KEPT.name)
        pending = con.execute(
            f"select promise_id, scoring_date, cast(made_at as date) as made_on "
            f"from {PROMISES_TABLE} where kept is null order by promise_id"
        ).df()
    assert len(pending) >= 5
    assert list(scored["promise_id"]) == list(pending["promise_id"])
    eve = pd.to_datetime(pending["made_on"]) - timedelta(days=1)
    assert list(pd.to_datetime(scored["feature_date"])) == list(eve)
    assert list(pd.to_datetime(scored["feature_date"])) == list(
        pd.to_datetime(pending["scoring_date"])
    )
    assert (scored["as_of"] == pd.Timestamp(SAMPLE_AS_OF)).all()
    assert scored["probability"].between(0, 1).all()
    assert scored["run_id"].nunique() == 1 and scored["scored_at"].nunique() == 1


def test_the_cash_page_reads_exactly_the_promise_scores_scoring_wrote(
    trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        written = store.latest_promise_scores(con, PROMISE_KEPT.name)
        rows = con.execute("select promise_id from marts.fct_cash_expected").fetchall()
    expected_ids = {promise_id for (promise_id,) in rows}
    read = queries.cash_expected_scored(trained, "all", "all")
    assert set(read["promise_id"]) == expected_ids
    on_page = read.dropna(subset=["kept_probability"])
    assert len(on_page) >= 5
    written = written.set_index("promise_id")
    # Rows the page reads with a score = the pending promises of the next 30 days scoring wrote.
    assert set(on_page["promise_id"]) == expected_ids & set(written.index)
    for row in on_page.itertuples():
        assert row.kept_probability == written.at[row.promise_id, "probability"]
        assert row.model_version == written.at[row.promise_id, "model_version"]

    page = open_page("cash", trained, monkeypatch)

    assert not page.exception
    shown = metrics(page)
    assert shown["Weighted by score, next 30 days (EUR)"] == (
        f"{on_page['scored_amount_rc'].sum():,.2f}"
    )
    captions = " ".join(caption.value for caption in page.caption)
    assert f"model {written['model_version'].iloc[0]}" in captions
    unscored = len(read) - len(on_page)
    assert (f"{unscored} promises that scoring run did not score" in captions) == (unscored > 0)


def _hand_made_warehouse(path: Path) -> None:
    """Three pending promises and two scoring runs of promise_kept: the later run scored P1
    (0.5) and P2 (0.25), not P3; the earlier one scored P1 at 0.9; a pay_within_30_days row of
    the later run for P3 is not a promise_kept score."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_cash_expected (promise_id varchar, case_id varchar, "
            "agent_id varchar, segment varchar, promised_date date, is_due_within_7_days "
            "boolean, remaining_amount_rc decimal(18, 2), reporting_currency varchar)"
        )
        con.execute(
            "insert into marts.fct_cash_expected values "
            "('P1', 'C1', 'A1', 'B2B', '2026-01-03', true, 100, 'EUR'), "
            "('P2', 'C1', 'A1', 'B2B', '2026-01-20', false, 200, 'EUR'), "
            "('P3', 'C2', 'A2', 'B2C', '2026-01-21', false, 50, 'EUR')"
        )
        store.create_tables(con)
        early, late = datetime(2026, 1, 1, 6), datetime(2026, 1, 1, 6, 0, 0, 1)
        rows = [
            ("promise_kept", "P1", "C1", date(2025, 12, 30), 0.9, "v1", early, "run-early"),
            ("promise_kept", "P1", "C1", date(2025, 12, 30), 0.5, "v2", late, "run-late"),
            ("promise_kept", "P2", "C1", date(2025, 12, 31), 0.25, "v2", late, "run-late"),
            ("pay_within_30_days", "P3", "C2", date(2025, 12, 31), 0.8, "v3", late, "run-late"),
        ]
        con.executemany(
            "insert into scores.promise_scores values "
            "(?, ?, ?, ?, '2026-01-01', ?, ?, null, null, null, ?, ?)",
            rows,
        )


def test_the_scored_figures_on_a_hand_made_warehouse(tmp_path: Path) -> None:
    warehouse = tmp_path / "hand.duckdb"
    _hand_made_warehouse(warehouse)

    read = queries.cash_expected_scored(warehouse, "all", "all").set_index("promise_id")
    b2c = queries.cash_expected_scored(warehouse, "B2C", "all")

    assert list(read.index) == ["P1", "P2", "P3"]
    assert list(read["kept_probability"].iloc[:2]) == [0.5, 0.25]
    assert pd.isna(read.at["P3", "kept_probability"])
    assert list(read["scored_amount_rc"].iloc[:2].astype(float)) == [
        50.0,
        50.0,
    ]  # 100 × 0.5, 200 × 0.25
    assert pd.isna(read.at["P3", "scored_amount_rc"])
    assert list(read["model_version"].iloc[:2]) == ["v2", "v2"]
    assert list(b2c["promise_id"]) == ["P3"] and b2c["kept_probability"].isna().all()


def test_without_promise_scores_the_page_reads_none(tmp_path: Path) -> None:
    warehouse = tmp_path / "none.duckdb"
    _hand_made_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table scores.promise_scores")

    read = queries.cash_expected_scored(warehouse, "all", "all")

    assert read.empty and list(read.columns) == list(queries.CASH_EXPECTED_SCORED_COLUMNS)


def test_without_scores_the_measured_rate_stands_alone(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("cash", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    assert [info.value for info in page.info] == [
        "No promise has a promise_kept score yet (score promise_kept: no model: run "
        "`amicable scores train`): the weighting by the measured kept rate above stands alone."
    ]
    assert not any(label.startswith("Weighted by score") for label in metrics(page))
