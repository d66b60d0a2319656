"""`amicable demo` trains the scores after its build, so the work queue is not empty; when a
score cannot be trained (too little history: the shared tiny sample's 40 debtors), the demo
still succeeds and says why in one line. Run with `--no-serve` on landing zones generated
beforehand (the demo generates only into an empty one), on their last day (`today`: the
demo's own sample ends today)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from amicable.scores.run import CASES_SCORED, PROMISES_SCORED
from amicable.scores.spec import PROMISES_TABLE, SCORES
from dashboards import queries
from sample_data import generate
from tests.conftest import SAMPLE_AS_OF, TRAIN_DEBTORS, SampleBuild
from tests.conftest import TRAIN_SEED as SEED


def _demo(
    landing: Path,
    warehouse: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> list[str]:
    monkeypatch.setattr("amicable.cli.today", lambda: SAMPLE_AS_OF)
    capsys.readouterr()
    status = main(["demo", "--no-serve", "--landing", str(landing), "--warehouse", str(warehouse)])
    assert status == 0
    return capsys.readouterr().out.splitlines()


def test_the_demo_trains_the_scores_and_fills_the_work_queue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    generate(landing, size="tiny", seed=SEED, as_of=SAMPLE_AS_OF, debtors=TRAIN_DEBTORS)
    warehouse = tmp_path / "warehouse.duckdb"

    printed = _demo(landing, warehouse, capsys, monkeypatch)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = dict(con.execute("select score, version from scores.models").fetchall())
        scored = dict(
            con.execute(
                "select score, count(*) from scores.case_scores group by score union all"
                " select score, count(*) from scores.promise_scores group by score"
            ).fetchall()
        )
        (open_cases,) = con.execute(
            "select count(*) from marts.fct_case_score_features where is_as_of"
        ).fetchone()
        (pending,) = con.execute(
            "select count(*) from marts.fct_promise_score_features where kept is null"
        ).fetchone()
    assert set(versions) == set(SCORES)
    for name, version in versions.items():
        assert any(line.startswith(f"score {name}: model {version}, ") for line in printed)
        rows, what = (
            (pending, PROMISES_SCORED)
            if SCORES[name].table == PROMISES_TABLE
            else (open_cases, CASES_SCORED)
        )
        assert any(
            line.startswith(f"score {name}: model {version}: {rows} {what} as of {SAMPLE_AS_OF}")
            for line in printed
        )
        assert scored[name] == rows > 0
    queue = queries.work_queue(warehouse, "all", "all")
    assert len(queue) == open_cases and queue["probability"].notna().all()


def test_a_demo_with_too_little_history_succeeds_and_says_why(
    sample_build: SampleBuild,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"

    printed = _demo(sample_build.settings.landing, warehouse, capsys, monkeypatch)

    said = printed[-len(SCORES) :]  # after the build's report: one line per score
    # the build's report said "no model" for each score: the demo says what it does next
    assert printed[-len(SCORES) - 1].startswith("training the case scores on this build")
    assert any(line.endswith("no model: run `amicable scores train`") for line in printed)
    for name, line in zip(SCORES, said, strict=True):
        assert re.fullmatch(
            rf"score {name} not trained: its \w+ slice has \d+ labelled rows \(\d+ positive, "
            r"\d+ negative\); at least 40 with both outcomes are needed|"
            rf"score {name} not trained: \d+ scoring dates with a closed label window; at "
            r"least 3 are needed \(train, calibrate, test\)|"
            rf"score {name} not trained: \d+ scoring dates with a closed label window \(.+\); "
            r"\d+ of them end their \d+-day window before the test period \(\d+ dates\), too "
            r"few for a calibration slice of \d+ dates and a training slice before it",
            line,
        ), printed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (models,) = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'scores' "
            "and table_name = 'models'"
        ).fetchone()
    assert models == 0
