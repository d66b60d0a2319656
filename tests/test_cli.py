"""The command line: clear one-line errors, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.cli import main


def test_build_on_a_missing_landing_folder_is_one_line(tmp_path: Path, capsys) -> None:
    status = main(
        ["build", "--landing", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().count("\n") == 0
    assert err.startswith("amicable: error: landing folder") and "nope" in err


def test_serve_without_a_warehouse_says_how_to_build_one(tmp_path: Path, capsys) -> None:
    status = main(["serve", "--warehouse", str(tmp_path / "w.duckdb")])
    assert status == 2
    assert "run `amicable build` first" in capsys.readouterr().err


def test_a_bad_as_of_date_is_a_usage_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--as-of", "20/11/2026"])
    assert exit_info.value.code == 2
    assert "not a date (expected YYYY-MM-DD): '20/11/2026'" in capsys.readouterr().err


def test_generate_rejects_an_unknown_size(tmp_path: Path, capsys) -> None:
    status = main(["generate", "--size", "huge", "--out", str(tmp_path / "landing")])
    assert status == 2
    assert "unknown size 'huge'" in capsys.readouterr().err


def test_an_unexpected_failure_is_one_line_unless_debugging(monkeypatch, capsys) -> None:
    import amicable.cli as cli

    def explode(args) -> int:
        raise RuntimeError("disk full\nmore detail")

    monkeypatch.setitem(cli.COMMANDS, "serve", explode)
    monkeypatch.delenv("AMICABLE_DEBUG", raising=False)
    assert main(["serve"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "amicable: unexpected error: RuntimeError: disk full (set AMICABLE_DEBUG=1 for the "
        "traceback)\n"
    )
    monkeypatch.setenv("AMICABLE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="disk full"):
        main(["serve"])
