"""The data health page's "Score models" section (dashboards/views/health.py): for every score
of `SCORES`, its latest model's state by `amicable.scores.store.status`, the rule the scoring
follows. No model on the shared sample; on copies of the trained tiny world (`trained`,
conftest.py) a current model in use, a model older than MAX_AGE_DAYS, and a model file changed
or deleted, each said on the page and not used by `amicable scores score`."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from amicable.cli import main
from amicable.scores import store
from amicable.scores.spec import SCORES
from tests.conftest import SampleBuild
from tests.dashboards.apptest_support import open_page, table


def _messages(page: AppTest) -> dict[str, list[str]]:
    return {
        "success": [m.value for m in page.success],
        "info": [m.value for m in page.info],
        "warning": [m.value for m in page.warning],
    }


def _models(page: AppTest) -> pd.DataFrame:
    return table(page, "in_use").set_index("score")


def _copy(trained: Path, tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """A copy of the trained warehouse whose registry points at copies of its model files (so
    a test may change or delete them), and those copies by score."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(trained, warehouse)
    files = {}
    with duckdb.connect(str(warehouse)) as con:
        for name in SCORES:
            (version, original) = con.execute(
                "select version, model_file from scores.models where score = ? "
                "order by trained_at desc limit 1",
                [name],
            ).fetchone()
            files[name] = tmp_path / Path(original).name
            shutil.copyfile(original, files[name])
            con.execute(
                "update scores.models set model_file = ? where score = ? and version = ?",
                [str(files[name]), name, version],
            )
    return warehouse, files


def _scored_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select (select count(*) from scores.case_scores)"
            " + (select count(*) from scores.promise_scores)"
        ).fetchone()[0]


def test_without_a_model_the_page_says_to_train(
    sample_build: SampleBuild, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page("health", sample_build.settings.warehouse, monkeypatch)

    assert not page.exception
    said = _messages(page)
    for name in SCORES:
        assert f"score {name}: no model: run `amicable scores train`." in said["info"]
    models = _models(page)
    assert list(models.index) == list(SCORES)
    assert not models["in_use"].any()
    assert (models["model_version"].fillna("") == "").all()


def test_a_current_model_is_shown_in_use_with_its_version(
    trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(trained), read_only=True) as con:
        as_of = store.as_of(con)
        latest = {
            name: con.execute(
                "select version, history_to, train_from, train_to, test_auc from scores.models "
                "where score = ? order by trained_at desc limit 1",
                [name],
            ).fetchone()
            for name in SCORES
        }
    page = open_page("health", trained, monkeypatch)

    assert not page.exception
    said = _messages(page)
    assert not said["warning"]
    models = _models(page)
    for name, (version, history_to, train_from, train_to, auc) in latest.items():
        assert f"score {name}: model {version}: in use." in said["success"]
        row = models.loc[name]
        assert row["in_use"] and row["model_version"] == version
        assert row["age_days"] == (as_of - history_to).days <= store.MAX_AGE_DAYS
        assert (row["train_from"], row["train_to"]) == (train_from, train_to)
        assert (
            row["trained_on"]
            == {
                "pay_within_30_days": "open cases at month ends",
                "litigation_within_90_days": "open cases at month ends",
                "promise_kept": "promises, each on the day before it was made",
            }[name]
        )
        assert row["test_auc"] == pytest.approx(auc)


@pytest.mark.parametrize("age", [store.MAX_AGE_DAYS, store.MAX_AGE_DAYS + 1])
def test_a_model_older_than_max_age_days_is_stale_and_not_used(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age: int
) -> None:
    """The model's history ends `age` days before the as-of date: MAX_AGE_DAYS is still in use,
    one more day is stale, said on the page, and the scoring leaves it unused."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(trained, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        as_of = store.as_of(con)
        history_to = as_of - timedelta(days=age)
        con.execute("update scores.models set history_to = ?", [history_to])
        versions = dict(con.execute("select score, version from scores.models").fetchall())
    page = open_page("health", warehouse, monkeypatch)

    assert not page.exception
    said = _messages(page)
    models = _models(page)
    for name, version in versions.items():
        assert models.loc[name, "age_days"] == age
        if age <= store.MAX_AGE_DAYS:
            assert models.loc[name, "in_use"]
            assert f"score {name}: model {version}: in use." in said["success"]
        else:
            assert not models.loc[name, "in_use"]
            assert (
                f"score {name}: model {version} is stale and was not used: its history ends "
                f"{history_to}, {age} days before as-of {as_of} (more than "
                f"{store.MAX_AGE_DAYS}); train again."
            ) in said["warning"]
    if age > store.MAX_AGE_DAYS:
        before = _scored_rows(warehouse)
        assert main(["scores", "score", "--warehouse", str(warehouse)]) == 1
        assert _scored_rows(warehouse) == before


@pytest.mark.parametrize(("change", "said"), [("delete", "is missing"), ("alter", "was changed")])
def test_a_deleted_or_changed_model_file_is_said_and_not_used(
    trained: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: str,
    said: str,
) -> None:
    warehouse, files = _copy(trained, tmp_path)
    assert all(m.usable for m in _statuses(warehouse))  # the copies are the trained files
    for path in files.values():
        if change == "delete":
            path.unlink()
        else:
            path.write_bytes(path.read_bytes() + b"\0")
    page = open_page("health", warehouse, monkeypatch)

    assert not page.exception
    warnings = _messages(page)["warning"]
    models = _models(page)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = dict(con.execute("select score, version from scores.models").fetchall())
    for name, path in files.items():
        assert not models.loc[name, "in_use"]
        assert models.loc[name, "model_file"] == str(path)
        assert (
            f"score {name}: model {versions[name]} was not used: its file {path} {said}; "
            f"train again (`amicable scores train --score {name}`)."
        ) in warnings

    before = _scored_rows(warehouse)
    capsys.readouterr()
    assert main(["scores", "score", "--warehouse", str(warehouse)]) == 1
    assert all(said in line for line in capsys.readouterr().out.strip().splitlines())
    assert _scored_rows(warehouse) == before


def _statuses(warehouse: Path) -> list[store.ModelStatus]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        day = store.as_of(con)
        return [store.status(con, spec, day) for spec in SCORES.values()]
