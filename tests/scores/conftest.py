"""The trained tiny world the score tests share (tests/scores/test_scores.py and the work
queue page's test): built and trained once per session, as it takes a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.cli import main
from amicable.scores.spec import SCORES
from amicable.settings import Settings
from orchestration.build import run_build
from sample_data import generate
from tests.conftest import SAMPLE_AS_OF

# Enough debtors that every score has 40 labelled rows with both outcomes in each slice: at 240
# debtors the litigation label (90-day window, month ends) has 19 positive rows in all.
TRAIN_DEBTORS = 600
SEED = 7


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny world of TRAIN_DEBTORS debtors, built, with its scores trained by the CLI."""
    root = tmp_path_factory.mktemp("scores")
    generate(root / "landing", size="tiny", seed=SEED, as_of=SAMPLE_AS_OF, debtors=TRAIN_DEBTORS)
    settings = Settings(
        landing=root / "landing", warehouse=root / "warehouse.duckdb", as_of=SAMPLE_AS_OF
    )
    outcome = run_build(settings)
    assert outcome.ok
    assert outcome.scores == [
        f"score {name}: no model: run `amicable scores train`" for name in SCORES
    ]
    assert main(["scores", "train", "--warehouse", str(settings.warehouse)]) == 0
    return settings.warehouse
