"""The trained tiny world the score tests share (tests/scores/test_scores.py and the work
queue page's test): built and trained once per session, as it takes a build."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.cli import main
from amicable.settings import Settings
from orchestration.build import run_build
from sample_data import generate
from tests.conftest import SAMPLE_AS_OF

TRAIN_DEBTORS = 240
SEED = 7


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny world of TRAIN_DEBTORS debtors, built, with its score trained by the CLI."""
    root = tmp_path_factory.mktemp("scores")
    generate(root / "landing", size="tiny", seed=SEED, as_of=SAMPLE_AS_OF, debtors=TRAIN_DEBTORS)
    settings = Settings(
        landing=root / "landing", warehouse=root / "warehouse.duckdb", as_of=SAMPLE_AS_OF
    )
    outcome = run_build(settings)
    assert outcome.ok
    assert outcome.scores == ["score pay_within_30_days: no model: run `amicable scores train`"]
    assert main(["scores", "train", "--warehouse", str(settings.warehouse)]) == 0
    return settings.warehouse
