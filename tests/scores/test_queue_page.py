"""The work queue page (dashboards/views/queue.py): on the shared sample, which has no trained
model, it says so and shows no queue; on the trained tiny world (`trained`, conftest.py) its
order is open amount × probability recomputed here from scores.case_scores and the marts, with
each case's reasons, and scores of an older as-of date are said to be older."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import has_table, open_page, table

LATEST_RUN = (
    "select case_id, probability, as_of, model_version, reason_1, reason_2, reason_3 "
    "from scores.case_scores where score = 'pay_within_30_days' and run_id = "
    "(select arg_max(run_id, scored_at) from scores.case_scores "
    "where score = 'pay_within_30_days')"
)


def groups(page: AppTest) -> list[pd.DataFrame]:
    """The by-group tables: segment, then jurisdiction."""
    found = [frame.value for frame in page.dataframe if "paid_rate" in frame.value.columns]
    assert len(found) == 2
    return found


def test_without_a_trained_model_the_page_says_so_and_shows_no_queue(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("queue", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    infos = [info.value for info in page.info]
    assert any("No model is trained" in text and "amicable scores train" in text for text in infos)
    assert any("never evidence" in text for text in infos)
    assert not has_table(page, "expected_recovery_rc")
    by_segment = groups(page)[0]
    assert set(by_segment["dimension_value"]) == {"B2B", "B2C"}
    assert by_segment["mean_score"].isna().all()
    assert (by_segment["cases_scored"] == 0).all()


def expected_queue(warehouse: Path) -> list[tuple[str, float, str]]:
    """(case, open amount × probability, reasons) of every open case, largest first, from the
    latest run's rows and the features mart's as-of rows, multiplied here."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        scores = {row[0]: row for row in con.execute(LATEST_RUN).fetchall()}
        amounts = dict(
            con.execute(
                "select case_id, open_amount_rc from marts.fct_case_score_features where is_as_of"
            ).fetchall()
        )
    assert set(scores) == set(amounts)
    rows = [
        (
            case,
            float(Decimal(amounts[case]) * Decimal(scores[case][1])),
            "; ".join(r for r in scores[case][4:] if r is not None),
        )
        for case in amounts
    ]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def test_the_queue_is_ordered_by_open_amount_times_probability_with_reasons(
    trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("queue", trained, monkeypatch)

    assert not page.exception
    assert not page.warning
    queue = table(page, "expected_recovery_rc")
    expected = expected_queue(trained)
    assert len(expected) > 20
    assert list(queue["case_id"]) == [case for case, _, _ in expected]
    assert list(queue["expected_recovery_rc"]) == pytest.approx([e for _, e, _ in expected])
    assert list(queue["reasons"]) == [reasons for _, _, reasons in expected]
    assert queue["reasons"].str.contains(" points").sum() > len(queue) / 2
    with duckdb.connect(str(trained), read_only=True) as con:
        version, auc = con.execute(
            "select version, test_auc from scores.models where score = 'pay_within_30_days' "
            "order by trained_at desc limit 1"
        ).fetchone()
        mean_b2b = con.execute(
            f"select avg(s.probability) from ({LATEST_RUN}) as s "
            "inner join marts.dim_cases as c using (case_id) where c.segment = 'B2B'"
        ).fetchone()[0]
    captions = " ".join(caption.value for caption in page.caption)
    assert f"model {version}" in captions and f"ROC AUC {auc:.3f}" in captions
    by_segment = groups(page)[0].set_index("dimension_value")
    assert by_segment.at["B2B", "mean_score"] == pytest.approx(mean_b2b)

    first = expected[0][0]
    drilled = open_page("queue", trained, monkeypatch, case=first, segment="all")
    assert not drilled.exception
    assert set(table(drilled, "source_file")["case_id"]) == {first}


def test_scores_older_than_the_warehouse_are_said_to_be(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = tmp_path / "warehouse.duckdb"
    shutil.copyfile(trained, older)
    with duckdb.connect(str(older)) as con:
        con.execute("update scores.case_scores set as_of = as_of - 7")
    page = open_page("queue", older, monkeypatch)

    assert not page.exception
    assert any("from an older build" in warning.value for warning in page.warning)
    assert has_table(page, "expected_recovery_rc")  # shown, with the warning above it


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("update scores.models set history_to = history_to - 100", "is stale and was not used"),
        ("delete from scores.case_scores", "has scored no case yet"),
    ],
    ids=["stale model", "no scores yet"],
)
def test_a_stale_model_or_a_model_without_scores_is_said(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, said: str
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(trained, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(change)
    page = open_page("queue", copy, monkeypatch)

    assert not page.exception
    assert any(said in message.value for message in [*page.warning, *page.info])
