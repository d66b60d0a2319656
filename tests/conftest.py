"""Shared fixtures: one generated sample, built once per test session."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from amicable.scores.spec import SCORES
from amicable.settings import Settings
from dashboards.access import OPEN_ENV
from orchestration.build import BuildOutcome, run_build
from sample_data import generate

SAMPLE_AS_OF = date(2026, 11, 20)


@dataclass
class SampleBuild:
    """The tiny sample (seed 7, as of SAMPLE_AS_OF) after one `amicable build`."""

    settings: Settings
    outcome: BuildOutcome

    @property
    def labels_dir(self) -> Path:
        return self.settings.landing / "_labels"

    def labels(self, name: str) -> list[dict]:
        """Rows of `_labels/<name>.jsonl` (defects, promises, breaches...)."""
        text = (self.labels_dir / f"{name}.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """Run read-only SQL on the built warehouse."""
        with duckdb.connect(str(self.settings.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(autouse=True)
def open_access(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dashboard pages run as admin without sign-in (`amicable serve --open`) unless a test
    signs in (tests/dashboards/test_roles.py)."""
    monkeypatch.setenv(OPEN_ENV, "1")


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> SampleBuild:
    """Read-only by convention: tests that write build their own copy."""
    root = tmp_path_factory.mktemp("sample_build")
    generate(root / "landing", size="tiny", seed=7, as_of=SAMPLE_AS_OF)
    settings = Settings(
        landing=root / "landing", warehouse=root / "warehouse.duckdb", as_of=SAMPLE_AS_OF
    )
    return SampleBuild(settings, run_build(settings))


def copy_build(sample_build: SampleBuild, root: Path) -> Path:
    """The sample's landing zone and warehouse (its symlink and slot files) in `root`, for a
    test that writes; returns the copy's warehouse path."""
    source = sample_build.settings
    shutil.copytree(source.landing, root / "landing")
    for path in source.warehouse.parent.glob(source.warehouse.name + "*"):
        if path.name.endswith((".lock", ".wal")):
            continue
        target = root / path.name
        if path.is_symlink():
            target.symlink_to(os.readlink(path))
        else:
            shutil.copy2(path, target)
    return root / source.warehouse.name


# Enough debtors that every score has 40 labelled rows with both outcomes in each slice: at 240
# debtors the litigation label (90-day window, month ends) has 19 positive rows in all.
TRAIN_DEBTORS = 600
TRAIN_SEED = 7


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny world of TRAIN_DEBTORS debtors, built, with its scores trained by the CLI: the score
    tests' (tests/scores/, the work queue page's) and the scores on PostgreSQL
    (tests/postgres/test_scores_on_postgres.py), built once per session."""
    root = tmp_path_factory.mktemp("scores")
    landing = root / "landing"
    generate(landing, size="tiny", seed=TRAIN_SEED, as_of=SAMPLE_AS_OF, debtors=TRAIN_DEBTORS)
    settings = Settings(landing=landing, warehouse=root / "warehouse.duckdb", as_of=SAMPLE_AS_OF)
    outcome = run_build(settings)
    assert outcome.ok
    assert outcome.scores == [
        f"score {name}: no model: run `amicable scores train`" for name in SCORES
    ]
    assert main(["scores", "train", "--warehouse", str(settings.warehouse)]) == 0
    return settings.warehouse
