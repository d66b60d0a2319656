"""Helpers for the AppTest page tests on the built sample."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.conftest import SampleBuild

VIEWS = Path(__file__).resolve().parents[2] / "dashboards" / "views"
TIMEOUT = 60

Table = Callable[[AppTest, str], pd.DataFrame]  # fixture table_of
Traces = Callable[[AppTest, str], list[dict]]  # fixture chart_traces
SelectRow = Callable[[AppTest, str, int | None], AppTest]  # fixture select_row


def open_page(name: str) -> AppTest:
    """AppTest of `dashboards/views/<name>.py` (AMICABLE_WAREHOUSE set by a fixture)."""
    return AppTest.from_file(VIEWS / f"{name}.py", default_timeout=TIMEOUT)


def months_in(sample_build: SampleBuild, mart: str, column: str) -> list[str]:
    """Months ('YYYY-MM') of `column` in `marts.<mart>`, oldest first (names are test literals)."""
    rows = sample_build.query(
        f"select distinct strftime({column}, '%Y-%m') as month from marts.{mart}"
        f" where {column} is not null order by month"
    )
    months = [month for (month,) in rows]
    assert len(months) >= 3
    return months
