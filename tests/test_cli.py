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


@pytest.mark.parametrize("name", ["raw.duckdb", "marts.duckdb", "Quality.duckdb"])
def test_a_warehouse_named_like_one_of_its_schemas_is_refused(
    name: str, tmp_path: Path, capsys
) -> None:
    (tmp_path / "landing").mkdir()
    args = ["build", "--landing", str(tmp_path / "landing"), "--warehouse", str(tmp_path / name)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "collides with the schema of that name inside it" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / name).exists()


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


def test_users_add_and_list(tmp_path: Path, monkeypatch, capsys) -> None:
    import io

    users = tmp_path / "users.yml"
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-1\n"))
    args = ["users", "add", "bob", "--role", "agent", "--agent-id", "AG002", "--users", str(users)]
    assert main([*args, "--password-stdin"]) == 0
    assert "long-enough-1" not in users.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["users", "list", "--users", str(users)]) == 0
    assert capsys.readouterr().out.strip() == "bob  agent  bob  agent AG002"


def test_users_add_prints_no_streamlit_runtime_warnings(tmp_path: Path) -> None:
    """A fresh process, as a user runs it: the hashing must not import the dashboard's
    Streamlit side, whose import prints "missing ScriptRunContext" warnings outside a server."""
    import subprocess
    import sys

    users = tmp_path / "users.yml"
    command = [sys.executable, "-m", "amicable.cli", "users", "add", "ann", "--role", "auditor"]
    done = subprocess.run(
        [*command, "--users", str(users), "--password-stdin"],
        input="long-enough-1\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ScriptRunContext" not in done.stderr + done.stdout
    assert "No runtime found" not in done.stderr + done.stdout
    assert users.is_file()


def test_users_add_refuses_an_unknown_role(tmp_path: Path, monkeypatch, capsys) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-1\n"))
    users = ["--users", str(tmp_path / "u.yml"), "--password-stdin"]
    assert main(["users", "add", "eve", "--role", "boss", *users]) == 2
    assert "unknown role 'boss'" in capsys.readouterr().err


def test_serve_without_a_users_file_says_how_to_make_one(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.touch()
    status = main(["serve", "--warehouse", str(warehouse), "--users", str(tmp_path / "none.yml")])
    assert status == 2
    err = capsys.readouterr().err
    assert "amicable users add" in err and "--open" in err and len(err.splitlines()) == 1


def test_a_build_that_crashes_says_nothing_was_published(monkeypatch, capsys) -> None:
    import amicable.cli as cli

    def crash(args) -> int:
        raise MemoryError("out of memory")

    monkeypatch.setitem(cli.COMMANDS, "build", crash)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    assert main(["build"]) == 3
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("amicable: unexpected error: MemoryError: out of memory")
    assert err[1] == (
        "amicable: the build stopped before the end: nothing was published, the warehouse and"
        " the dashboard keep the previous build"
    )


def test_a_build_that_cannot_copy_the_warehouse_says_so_in_one_line(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import errno
    import shutil

    import duckdb

    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    (tmp_path / "landing").mkdir()

    def disk_full(source, target) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    args = ["build", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("amicable: error: cannot copy") and len(err.splitlines()) == 1
    assert "No space left on device; the published warehouse is unchanged" in err
