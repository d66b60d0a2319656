"""`amicable serve`'s address: this machine only unless `--host` says otherwise, and never
open access or the published demo passwords on another address without
`--allow-insecure-public`. The command it would start is read, not run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from amicable.cli import DEMO_PASSWORD, main
from dashboards.access import add_user


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The Streamlit commands `serve` starts (none is run)."""
    commands: list[list[str]] = []

    def run(command: list[str], **_: object) -> subprocess.CompletedProcess:
        commands.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr("amicable.cli.subprocess.run", run)
    return commands


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    path.touch()
    return path


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_serve_listens_on_loopback_by_default(warehouse: Path, started: list) -> None:
    assert main(["serve", "--warehouse", str(warehouse), "--open"]) == 0
    (command,) = started
    assert _option(command, "--server.address") == "127.0.0.1"
    assert command[command.index("run") + 1].endswith("dashboards/server.py")


def test_open_access_on_a_public_address_is_refused_in_one_line(
    warehouse: Path, started: list, capsys
) -> None:
    argv = ["serve", "--warehouse", str(warehouse), "--open", "--host", "0.0.0.0"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "refusing --open on 0.0.0.0" in err and "--allow-insecure-public" in err
    assert len(err.splitlines()) == 1 and started == []
    assert main([*argv, "--allow-insecure-public"]) == 0
    assert _option(started[0], "--server.address") == "0.0.0.0"


def test_demo_passwords_on_a_public_address_are_refused(
    warehouse: Path, tmp_path: Path, started: list, capsys
) -> None:
    users = tmp_path / "users.yml"
    add_user(users, "ada", "auditor", "a-real-secret-9")
    add_user(users, "finance", "finance", DEMO_PASSWORD)
    argv = ["serve", "--warehouse", str(warehouse), "--users", str(users), "--host", "10.1.2.3"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "finance in" in err and "ada" not in err and "published demo password" in err
    assert len(err.splitlines()) == 1 and started == []
    assert main([*argv[:-2], "--host", "localhost"]) == 0, "loopback: the demo is fine"
    add_user(users, "finance", "finance", "now-a-real-one-9")
    assert main(argv) == 0


def test_serve_help_describes_port_and_host(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "TCP port the dashboard listens on (default: 8501)" in text
    assert "address to listen on (default: 127.0.0.1" in text


def test_serve_on_a_postgres_server_that_is_down_is_one_line(started: list, capsys) -> None:
    from tests.postgres.conftest import free_port

    url = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/amicable"
    assert main(["serve", "--warehouse", url, "--open"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("amicable: error: cannot serve postgresql://ann:***@127.0.0.1:")
    assert "Connection refused" in err and "s3cret" not in err
    assert len(err.splitlines()) == 1 and started == []
