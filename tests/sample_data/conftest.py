from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from sample_data import Summary, generate

AS_OF = date(2026, 11, 20)
LATE = f"{AS_OF:%Y-%m-%d}T0200"  # extraction stamps in file names
EARLY = f"{AS_OF - timedelta(days=7):%Y-%m-%d}T0200"


def history_months(as_of: date) -> list[date]:
    """First days of the months with history: 18 months ending with the month of as_of - 1."""
    last = as_of - timedelta(days=1)
    n = as_of.year * 12 + as_of.month - 1 - 17
    first = date(n // 12, n % 12 + 1, 1)
    months = []
    while first <= last:
        months.append(first)
        first = (first + timedelta(days=32)).replace(day=1)
    return months


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "landing"
    generate(out, size="tiny", seed=7, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary, float]:
    out = tmp_path_factory.mktemp("demo") / "landing"
    started = time.perf_counter()
    summary = generate(out, size="demo", seed=7, as_of=AS_OF)
    return out, summary, time.perf_counter() - started


@pytest.fixture(scope="session")
def demo(demo_run: tuple[Path, Summary, float]) -> Path:
    return demo_run[0]


@pytest.fixture(scope="session")
def demo_december(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo sample as of 2026-12-03: a US-AFTER-CONV slip there was followed by a second
    call inside the conversation's window (case CS00014001), which its labels missed."""
    out = tmp_path_factory.mktemp("demo_december") / "landing"
    generate(out, size="demo", seed=7, as_of=date(2026, 12, 3))
    return out


@pytest.fixture(scope="session")
def xl_small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`xl` scaled down to 300 debtors: its agency profile and its daily extraction files."""
    out = tmp_path_factory.mktemp("xl_small") / "landing"
    generate(out, size="xl", seed=7, as_of=AS_OF, debtors=300)
    return out
