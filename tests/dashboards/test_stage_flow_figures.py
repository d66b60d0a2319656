"""The stage flow's figures computed at query time from the moves (the ended stays of
`marts.fct_case_stage_durations`), on hand-made stays with hand-computed figures: each period
and filter cell on its own moves (percentiles do not add up), `all` totals every value, and a
missing team reads `unknown`, a value of its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboards import queries

STAYS = [
    # case, stage, next stage, entered, left, segment, strategy, team
    (
        "C1",
        "contact",
        "negotiation",
        "2026-01-01 00:00",
        "2026-01-02 00:00",
        "B2B",
        "soft",
        "north",
    ),
    (
        "C2",
        "contact",
        "negotiation",
        "2026-01-03 00:00",
        "2026-01-05 00:00",
        "B2B",
        "soft",
        "north",
    ),
    (
        "C1",
        "contact",
        "negotiation",
        "2026-01-10 00:00",
        "2026-01-12 00:00",
        "B2B",
        "soft",
        "north",
    ),
    ("C2", "negotiation", None, "2026-01-05 00:00", None, "B2B", "soft", "north"),
    (
        "C3",
        "negotiation",
        "payment_plan",
        "2026-03-01 00:00",
        "2026-03-06 00:00",
        "B2B",
        "soft",
        "north",
    ),
    (
        "C4",
        "negotiation",
        "payment_plan",
        "2026-03-02 00:00",
        "2026-03-02 12:00",
        "B2B",
        "soft",
        "north",
    ),
    (
        "K1",
        "contact",
        "negotiation",
        "2025-11-01 00:00",
        "2025-11-02 00:00",
        "B2B",
        "hard",
        "north",
    ),
    ("K2", "contact", "negotiation", "2025-11-01 00:00", "2025-11-04 00:00", "B2C", "hard", None),
]


AS_OF_END = "2026-04-01 00:00"  # a running stay's duration counts to the end of as_of


def _seconds(entered: str, left: str) -> int:
    """The stay's duration_seconds as the mart holds it (int_ops_case_stays computes it)."""
    span = dt.datetime.fromisoformat(left) - dt.datetime.fromisoformat(entered)
    return int(span.total_seconds())


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_case_stage_durations (case_id varchar, stage varchar,"
            " next_stage varchar, entered_at timestamp, left_at timestamp,"
            " duration_seconds bigint, segment varchar, strategy varchar, owner_team varchar)"
        )
        con.executemany(
            "insert into marts.fct_case_stage_durations values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (case, stage, to, entered, left, _seconds(entered, left or AS_OF_END), *rest)
                for case, stage, to, entered, left, *rest in STAYS
            ],
        )
        con.execute(
            "create table marts.fct_stage_open_stays (segment varchar, strategy varchar,"
            " owner_team varchar, stage varchar, stays_running integer,"
            " median_running_days decimal(18, 4))"
        )
        con.execute(
            "insert into marts.fct_stage_open_stays values"
            " ('all', 'soft', 'all', 'negotiation', 1, 330.5)"
        )
    return path


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return None if pd.isna(value) else value


def _figures(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(_plain(value) for value in row) for row in frame.itertuples(index=False)]


def test_each_period_is_computed_on_its_own_moves(warehouse: Path) -> None:
    # contact -> negotiation in January: C1 after 1 day, C2 after 2, C1 again after 2 (a tie):
    # 3 moves of 2 cases, median 2, p90 at position 1.8 = 2 + 0.8 x 0 = 2, mean 5 / 3.
    # negotiation -> payment_plan in March: C3 after 5 days, C4 after 12 hours: median
    # (0.5 + 5) / 2 = 2.75, p90 = 0.5 + 0.9 x 4.5 = 4.55, mean 2.75. C2's running stay is no move.
    january = [("contact", "negotiation", 3, 2, 2.0, 2.0, 1.6667)]
    march = [("negotiation", "payment_plan", 2, 2, 2.75, 4.55, 2.75)]

    def flow(first: str, last: str, team: str = "all") -> list[tuple]:
        return _figures(queries.stage_flow(warehouse, first, last, "B2B", "soft", team))

    assert flow("2026-01", "2026-01") == january
    assert flow("2026-03", "2026-03") == march
    assert flow("2026-02", "2026-02") == []
    # longest median first
    assert flow("2026-01", "2026-03") == march + january
    assert flow("2026-01", "2026-03", "north") == march + january


def test_all_totals_every_value_and_a_missing_team_stays_apart(warehouse: Path) -> None:
    # November 2025: K1 (B2B, north) after 1 day, K2 (B2C, no team) after 3 days: a cell of
    # one move has its duration as median, p90 and mean; `all` holds both: median
    # (1 + 3) / 2 = 2, p90 = 1 + 0.9 x 2 = 2.8, mean 2, 2 moves of 2 cases.
    def flow(segment: str, team: str) -> list[tuple]:
        return _figures(queries.stage_flow(warehouse, "2025-11", "2025-11", segment, "hard", team))

    assert flow("B2B", "north") == [("contact", "negotiation", 1, 1, 1.0, 1.0, 1.0)]
    assert flow("B2C", "unknown") == [("contact", "negotiation", 1, 1, 3.0, 3.0, 3.0)]
    assert flow("all", "unknown") == [("contact", "negotiation", 1, 1, 3.0, 3.0, 3.0)]
    assert flow("all", "all") == [("contact", "negotiation", 2, 2, 2.0, 2.8, 2.0)]
    assert flow("B2B", "unknown") == []
    assert flow("B2C", "north") == []


def test_time_in_stage_is_every_move_out_of_a_stage_and_the_running_stays(
    warehouse: Path,
) -> None:
    # Every month, strategy soft (segment and team all; the hard moves of November are out):
    # contact left 3 times in January (median 2, p90 2), negotiation twice in March (median
    # 2.75, p90 4.55) and running once (the row of fct_stage_open_stays).
    got = _figures(queries.stage_time(warehouse, "2025-11", "2026-03", "all", "soft"))

    assert got == [
        ("negotiation", 2, 2.75, 4.55, 1, 330.5),
        ("contact", 3, 2.0, 2.0, 0, None),
    ]
