"""Scores in `amicable case-file`: each score's row of its latest scoring run for the case (a
score of promises: the row of each of its pending promises), with its reasons and model
version, titled as information only, not evidence; one line when the case has none. On the
trained tiny world (`trained`, conftest.py) and the shared sample, which has no model."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from amicable.case_file import NO_SCORES, SCORES_TITLE, score_lines, to_pdf
from amicable.cli import main
from amicable.scores.spec import SCORES
from tests.compliance.case_files import case_file_of, copy_warehouse, csv_sections, pdf_lines
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import open_page

# score, case_id, probability, as_of, model_version, reason_1..3, promise_id: the latest run's
# rows of the case scores, and of the promise scores named by their promise
COLUMNS = "probability, as_of, model_version, reason_1, reason_2, reason_3"
LATEST_RUN = (
    f"select score, case_id, {COLUMNS}, '' as promise_id from scores.case_scores as s"
    " where run_id = (select arg_max(run_id, scored_at) from scores.case_scores"
    " where score = s.score) union all"
    f" select score || ' (promise ' || promise_id || ')', case_id, {COLUMNS}, promise_id"
    " from scores.promise_scores as p where run_id = (select arg_max(run_id, scored_at)"
    " from scores.promise_scores where score = p.score)"
)
SECTION = "scores (information only, not evidence)"


def _export(
    warehouse: Path, case_id: str, out: Path, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """`amicable case-file` of the case as CSV to `out`; the lines it printed."""
    capsys.readouterr()
    status = main(["case-file", "--case", case_id, "--warehouse", str(warehouse), "--format",
                   "csv", "--out", str(out)])  # fmt: skip
    assert status == 0
    return capsys.readouterr().out.splitlines()


def _latest_of(warehouse: Path, case_id: str | None = None) -> list[tuple]:
    """The latest run's rows, likeliest first; of one case, in the order of SCORES, then of
    its promises."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"select * from ({LATEST_RUN}) where cast(? as varchar) is null or case_id = ? "
            "order by probability desc, case_id",
            [case_id, case_id],
        ).fetchall()
    if not case_id:
        return rows
    return sorted(rows, key=lambda row: (list(SCORES).index(row[0].split(" ")[0]), row[-1]))


def _shows_every_score(warehouse: Path, case_id: str) -> bool:
    rows = _latest_of(warehouse, case_id)
    scores = {score.split(" ")[0] for score, *_ in rows}
    return scores == set(SCORES) and all(all(row[5:8]) for row in rows)


def test_an_open_cases_scores_are_shown_as_information_with_reasons_and_model(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = copy_warehouse(trained, tmp_path)
    # The likeliest case of a score among those with a row of every score (a pending promise)
    # and three reasons for each (a score near 0 may move less than half a point for any
    # feature), to check them all.
    case_id = next(row[1] for row in _latest_of(warehouse) if _shows_every_score(warehouse, row[1]))
    rows = _latest_of(warehouse, case_id)
    assert all(all(row[5:8]) for row in rows)  # three reasons each, to check them all
    out = tmp_path / "case.csv"

    printed = _export(warehouse, case_id, out, capsys)

    expected = [
        f"{score} {round(probability * 100)}% as of {as_of} (model {version}); why: "
        f"{reasons[0]}; {reasons[1]}; {reasons[2]}"
        for score, _, probability, as_of, version, *reasons, _ in rows
    ]
    at = printed.index(f"{SCORES_TITLE}:")
    assert printed[at + 1 : at + 1 + len(rows)] == [f"  {line}" for line in expected]
    assert csv_sections(out.read_bytes())[SECTION] == [
        {
            "score": score,
            "probability": str(probability),
            "as_of": str(as_of),
            "model_version": version,
            "reason_1": reasons[0],
            "reason_2": reasons[1],
            "reason_3": reasons[2],
        }
        for score, _, probability, as_of, version, *reasons, _ in rows
    ]
    case_file = case_file_of(warehouse, case_id)
    assert score_lines(case_file) == expected
    shown = pdf_lines(to_pdf(case_file, use_unicode_font=False))
    assert SCORES_TITLE in shown
    for score, _, probability, *_ in rows:
        assert any(line.startswith(f"{score} {round(probability * 100)}% as of") for line in shown)


def test_the_case_file_page_shows_the_scores_as_information(
    trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _latest_of(trained)[0][1]
    rows = _latest_of(trained, case_id)
    page = open_page("casefile", trained, monkeypatch, case=case_id)

    assert not page.exception
    assert SCORES_TITLE in [header.value for header in page.subheader]
    lines = [text.value for text in page.text]
    assert len(lines) == len(rows)
    for line, (score, _, probability, _, version, *_) in zip(lines, rows, strict=True):
        assert line.startswith(f"{score} {round(probability * 100)}% as of ")
        assert f"(model {version}); why: " in line


def test_a_case_the_latest_run_did_not_score_says_so_in_one_line(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A case closed by the as-of date is not scored: its file says there is no score."""
    warehouse = copy_warehouse(trained, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (case_id,) = con.execute(
            f"select min(case_id) from marts.dim_cases where case_id not in "
            f"(select case_id from ({LATEST_RUN}))"
        ).fetchone()
    assert case_id is not None
    out = tmp_path / "case.csv"

    printed = _export(warehouse, case_id, out, capsys)

    assert f"{SCORES_TITLE}: {NO_SCORES}" in printed
    assert csv_sections(out.read_bytes())[SECTION] == []


def test_without_any_model_the_case_file_says_there_is_no_score(
    sample_build: SampleBuild, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = copy_warehouse(sample_build.settings.warehouse, tmp_path)
    (case_id,) = sample_build.query("select min(case_id) from marts.dim_cases")[0]
    out = tmp_path / "case.csv"

    printed = _export(warehouse, case_id, out, capsys)

    assert f"{SCORES_TITLE}: {NO_SCORES}" in printed
    assert not any(line.startswith("  ") for line in printed)
    assert csv_sections(out.read_bytes())[SECTION] == []
