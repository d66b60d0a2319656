"""The memory cap of every DuckDB a build opens: one variable, one default, both engines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from amicable.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    memory_limit,
)
from data_quality.resources import WarehouseResource


def _setting(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _as_duckdb_shows(value: str) -> str:
    with duckdb.connect() as con:
        con.execute(f"set memory_limit = '{value}'")
        return _setting(con)


def test_the_build_s_connections_take_the_configured_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    with warehouse.connect() as con:
        assert _setting(con) == _as_duckdb_shows(DEFAULT_MEMORY_LIMIT)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "700MB")
    with warehouse.connect(read_only=True) as con:
        assert _setting(con) == _as_duckdb_shows("700MB") != _as_duckdb_shows("2GB")


def test_dbt_s_profile_reads_the_same_variable_with_the_same_default() -> None:
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    found = re.search(r"memory_limit: \"\{\{ env_var\('(\w+)', '([^']+)'\) \}\}\"", profile)
    assert found is not None
    assert found.groups() == (MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def test_a_malformed_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="AMICABLE_MEMORY_LIMIT='lots'"):
        memory_limit({MEMORY_LIMIT_ENV: "lots"})
    assert memory_limit({MEMORY_LIMIT_ENV: "1500 MB"}) == "1500 MB"
    (tmp_path / "landing").mkdir()
    command = [sys.executable, "-m", "amicable.cli", "build"]
    command += ["--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / "w.duckdb")]
    done = subprocess.run(
        command, capture_output=True, text=True, env={"PATH": "/usr/bin", MEMORY_LIMIT_ENV: "lots"}
    )
    assert done.returncode == 2
    assert "AMICABLE_MEMORY_LIMIT='lots' is not a memory size" in done.stderr
    assert "Traceback" not in done.stderr
