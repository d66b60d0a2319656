"""Scores in `amicable case-file`: each score's row of its latest scoring run for the case, with
its reasons and model version, titled as information only, not evidence; one line when the
case has none. On the trained tiny world (`trained`, conftest.py) and the shared sample, which
has no model."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from amicable.case_file import NO_SCORES, SCORES_TITLE, to_pdf
from amicable.cli import main
from tests.compliance.case_files import case_file_of, copy_warehouse, csv_sections, pdf_lines
from tests.conftest import SampleBuild

LATEST_RUN = (
    "select score, case_id, probability, as_of, model_version, reason_1, reason_2, reason_3 "
    "from scores.case_scores as s where run_id = (select arg_max(run_id, scored_at) "
    "from scores.case_scores where score = s.score)"
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


def test_an_open_cases_scores_are_shown_as_information_with_reasons_and_model(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = copy_warehouse(trained, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(LATEST_RUN + " order by probability desc, case_id").fetchall()
    score, case_id, probability, as_of, version, *reasons = rows[0]  # the likeliest payer
    assert all(reasons)  # three reasons, to check them all
    out = tmp_path / "case.csv"

    printed = _export(warehouse, case_id, out, capsys)

    expected = (
        f"  {score} {round(probability * 100)}% as of {as_of} (model {version}); why: "
        f"{reasons[0]}; {reasons[1]}; {reasons[2]}"
    )
    at = printed.index(f"{SCORES_TITLE}:")
    assert printed[at + 1] == expected
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
    ]
    shown = pdf_lines(to_pdf(case_file_of(warehouse, case_id), use_unicode_font=False))
    assert SCORES_TITLE in shown
    assert any(line.startswith(f"{score} {round(probability * 100)}% as of") for line in shown)


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
