"""Distribution checks: shares that only move when a feed breaks.

A dialer that loses its dispositions reports every call as unanswered; a mail gateway that
fails bounces everything. Each `WatchedShare` compares the share of matching rows over the
`recent_days` up to the source's newest record with the share over the `baseline_days` before
them, on the rows as staging keeps them (the latest version per key). It warns when the shift
exceeds max(min_shift_points, standard_errors x the standard error of a share of that many
recent rows at the baseline rate), so a small week does not raise an alarm; below
`min_recent_rows` recent rows it does not judge. Thresholds live in `quality.distribution`
(config/amicable.yml).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from amicable.config import Distribution
from data_quality.sqlcheck import SqlOutcome, staging_model


@dataclass(frozen=True)
class WatchedShare:
    table: str  # raw table
    at: str  # the column that dates a row
    what: str  # what the share counts, for people
    condition: str  # SQL predicate on the table's columns (a constant of this module)


WATCHED: tuple[WatchedShare, ...] = (
    WatchedShare(
        "contacts_calls",
        "started_at",
        "calls that reached no one (no_answer, busy, voicemail)",
        "outcome in ('no_answer', 'busy', 'voicemail')",
    ),
    WatchedShare(
        "contacts_messages",
        "sent_at",
        "messages bounced or returned",
        "outcome in ('bounced', 'returned')",
    ),
)
WATCHED_BY_TABLE = {w.table: w for w in WATCHED}


def _counts(
    con: duckdb.DuckDBPyConnection, watched: WatchedShare, limits: Distribution
) -> tuple[int, int, int, int, object]:
    """(recent rows, recent matches, baseline rows, baseline matches, newest row time)."""
    sql = f"""
        with source_rows as (select * from staging.{staging_model(watched.table)}),
        newest as (select max({watched.at}) as newest_at from source_rows),
        windowed as (
            select
                source_rows.{watched.at} > newest.newest_at - to_days($recent) as is_recent,
                coalesce({watched.condition}, false) as is_match
            from source_rows
            cross join newest
            where source_rows.{watched.at} > newest.newest_at - to_days($recent + $baseline)
        )
        select
            count(*) filter (where is_recent) as recent_rows,
            count(*) filter (where is_recent and is_match) as recent_matches,
            count(*) filter (where not is_recent) as baseline_rows,
            count(*) filter (where not is_recent and is_match) as baseline_matches,
            (select newest_at from newest) as newest_at
        from windowed
    """
    params = {"recent": limits.recent_days, "baseline": limits.baseline_days}
    row = con.execute(sql, params).fetchone()
    return row if row else (0, 0, 0, 0, None)  # type: ignore[return-value]


def share_shift(
    con: duckdb.DuckDBPyConnection, watched: WatchedShare, limits: Distribution
) -> SqlOutcome:
    """Whether the recent share of `watched` moved away from its baseline (one failing key)."""
    recent, recent_hits, base, base_hits, newest = _counts(con, watched, limits)
    figures: dict[str, object] = {
        "share": watched.what,
        "newest_record_at": None if newest is None else str(newest),
        "recent_days": limits.recent_days,
        "recent_rows": recent,
        "recent_matches": recent_hits,
        "baseline_days": limits.baseline_days,
        "baseline_rows": base,
        "baseline_matches": base_hits,
    }
    if recent < limits.min_recent_rows or base == 0:
        summary = (
            f"{watched.table}: too few rows to judge the share of {watched.what} "
            f"({recent} in the last {limits.recent_days} days, {base} before; "
            f"needs {limits.min_recent_rows} recent and some before)"
        )
        return SqlOutcome(0, (), summary, figures)
    share, baseline = recent_hits / recent, base_hits / base
    standard_error = math.sqrt(baseline * (1 - baseline) / recent)
    allowed = max(limits.min_shift_points, limits.standard_errors * standard_error * 100)
    shift = abs(share - baseline) * 100
    figures |= {
        "recent_pct": round(share * 100, 1),
        "baseline_pct": round(baseline * 100, 1),
        "allowed_shift_points": round(allowed, 1),
    }
    line = (
        f"{watched.table}: {share:.1%} of {recent} rows in the {limits.recent_days} days to "
        f"{newest:%Y-%m-%d} were {watched.what}, vs {baseline:.1%} of {base} in the "
        f"{limits.baseline_days} days before (allowed shift {allowed:.1f} points)"
    )
    shifted = shift > allowed
    return SqlOutcome(int(shifted), (line,) if shifted else (), line, figures)
