"""When a build must recompute every model (`orchestration.incremental`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.incremental import build_fingerprint, full_refresh_reason

LAST = date(2026, 3, 31)


def _warehouse(tmp_path: Path, fingerprint: str | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.dim_build (as_of_date date, build_fingerprint varchar)")
    con.execute("insert into marts.dim_build values (?, ?)", [LAST, fingerprint])
    return con


def test_a_build_is_incremental_only_on_the_same_models_and_settings_moving_forward(
    tmp_path: Path,
) -> None:
    with _warehouse(tmp_path, "abc") as con:
        assert full_refresh_reason(con, "abc", LAST, asked=False) == ""
        assert full_refresh_reason(con, "abc", date(2026, 4, 1), asked=False) == ""
        assert full_refresh_reason(con, "abc", LAST, asked=True) == "asked for (--full-refresh)"
        assert "changed" in full_refresh_reason(con, "abd", LAST, asked=False)
        earlier = full_refresh_reason(con, "abc", date(2026, 3, 30), asked=False)
        assert earlier == "the as-of date 2026-03-30 is before the last build's (2026-03-31)"


def test_a_warehouse_without_a_fingerprinted_build_gets_a_full_one(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        assert full_refresh_reason(con, "abc", LAST, False) == "first build of this warehouse"
    with _warehouse(tmp_path, None) as con:  # built before fingerprints
        assert full_refresh_reason(con, "abc", LAST, False) == "first build of this warehouse"


def test_the_fingerprint_follows_file_contents_and_lasting_settings_only(tmp_path: Path) -> None:
    model = tmp_path / "models" / "m.sql"
    model.parent.mkdir()
    model.write_text("select 1 as x")
    settings = {"as_of": "2026-03-31", "run_id": "r1", "promises": {"grace_days": 3}}
    first = build_fingerprint([model], tmp_path, settings)
    later = {**settings, "as_of": "2026-04-01", "run_id": "r2"}
    assert build_fingerprint([model], tmp_path, later) == first  # per-build vars do not count
    assert (
        build_fingerprint([model], tmp_path, {**settings, "promises": {"grace_days": 4}}) != first
    )
    model.write_text("select 2 as x")
    assert build_fingerprint([model], tmp_path, settings) != first
