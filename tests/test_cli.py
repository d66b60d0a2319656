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


def test_users_add_and_list(sample_build, tmp_path: Path, monkeypatch, capsys) -> None:
    import io

    users = tmp_path / "users.yml"
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-1\n"))
    args = ["users", "add", "bob", "--role", "agent", "--agent-id", "AG002", "--users", str(users)]
    args += ["--warehouse", str(sample_build.settings.warehouse)]
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


def test_a_crashed_build_on_a_live_warehouse_does_not_claim_nothing_was_published(
    monkeypatch, capsys
) -> None:
    import amicable.cli as cli

    def crash(args) -> int:
        raise MemoryError("out of memory")

    monkeypatch.setitem(cli.COMMANDS, "build", crash)
    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    for warehouse in ("postgresql://ana@db:5432/marts", "spark:/tmp/amicable-spark"):
        assert main(["build", "--warehouse", warehouse]) == 3
        err = capsys.readouterr().err.splitlines()
        assert err[1] == (
            "amicable: the build stopped before the end: dbt writes this warehouse's live tables,"
            " so readers may see part of it until a build completes"
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


def _config_with_currency(folder: Path, currency: str) -> Path:
    """A copy of the configuration (with its rule packs) whose reporting currency differs."""
    import shutil

    from amicable.settings import DEFAULT_CONFIG

    shutil.copytree(DEFAULT_CONFIG.parent, folder)
    config = folder / DEFAULT_CONFIG.name
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("reporting_currency: EUR", f"reporting_currency: {currency}"))
    return config


def _compiled(out: Path, model: str) -> str:
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [node] = [n for n in manifest["nodes"].values() if n["name"] == model]
    return node["compiled_code"]


def test_docs_compile_the_models_with_the_configuration_and_read_the_warehouse(
    sample_build, tmp_path: Path, capsys
) -> None:
    """The vars reach dbt as a build passes them (without them `dbt docs generate` fails);
    the catalog comes from the warehouse, opened read-only beside a reader."""
    import json

    import duckdb

    config, out = _config_with_currency(tmp_path / "config", "USD"), tmp_path / "docs"
    warehouse = str(sample_build.settings.warehouse)
    args = ["docs", "--no-serve", "--warehouse", warehouse, "--config", str(config)]
    with duckdb.connect(warehouse, read_only=True):  # a dashboard reading it
        assert main([*args, "--as-of", "2026-11-20", "--out", str(out)]) == 0
    assert f"column types from {warehouse}" in capsys.readouterr().out
    dim_build = _compiled(out, "dim_build")
    assert "cast('USD' as TEXT)" in dim_build and "cast('2026-11-20' as date)" in dim_build
    assert "US-AFTER-CONV" in _compiled(out, "fct_compliance_breaches")  # the rule packs
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    assert "model.amicable.fct_ar_ageing" in catalog["nodes"]
    assert (out / "index.html").is_file() and (out / "static_index.html").is_file()


def test_docs_without_a_warehouse_have_an_empty_catalog(tmp_path: Path, capsys) -> None:
    import json

    out = tmp_path / "docs"
    args = ["docs", "--no-serve", "--warehouse", str(tmp_path / "none.duckdb"), "--out", str(out)]
    assert main(args) == 0
    assert f"no warehouse at {tmp_path / 'none.duckdb'}" in capsys.readouterr().out
    assert json.loads((out / "catalog.json").read_text(encoding="utf-8"))["nodes"] == {}
    assert "cast('EUR' as TEXT)" in _compiled(out, "dim_build")
    assert "US-AFTER-CONV" in _compiled(out, "fct_compliance_breaches")


def test_the_dagster_ui_opens_the_instance_the_builds_record_in(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """`amicable dagster` runs `dagster dev` on 127.0.0.1 with DAGSTER_HOME set to the
    warehouse's instance (where `amicable build` records its runs: tests/end_to_end)."""
    import subprocess

    from amicable.settings import WAREHOUSE_ENV, dagster_home

    started: list[tuple[list[str], dict]] = []

    def run(command: list[str], env: dict, check: bool) -> subprocess.CompletedProcess:
        started.append((command, env))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", run)
    warehouse = tmp_path / "w.duckdb"
    assert main(["dagster", "--warehouse", str(warehouse), "--port", "8633"]) == 0
    [(command, env)] = started
    assert command[1:] == [
        "-m", "dagster", "dev", "-m", "orchestration.definitions",
        "--host", "127.0.0.1", "--port", "8633",
    ]  # fmt: skip
    assert Path(env["DAGSTER_HOME"]) == dagster_home(warehouse) == tmp_path / "dagster" / "w"
    assert env[WAREHOUSE_ENV] == str(warehouse)
    assert "telemetry" in (dagster_home(warehouse) / "dagster.yaml").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8633" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["build", "--bogus"], "usage: amicable build "),
        (["users", "add", "ann", "--role", "auditor", "--nope"], "usage: amicable users add "),
        (["case-file", "--case", "CS1", "--fromat"], "usage: amicable case-file "),
    ],
)
def test_a_wrong_flag_prints_the_usage_of_its_subcommand(args: list[str], usage: str, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    command = usage.removeprefix("usage: ").strip()
    assert err.splitlines()[-1] == f"{command}: error: unrecognized arguments: {args[-1]}"


@pytest.fixture
def no_password_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    """`users add` must refuse bad input before it asks for a password."""

    def prompt(text: str = "") -> str:
        raise AssertionError(f"asked for the password: {text}")

    monkeypatch.setattr("getpass.getpass", prompt)


@pytest.mark.usefixtures("no_password_prompt")
def test_users_add_checks_the_role_and_the_users_file_before_the_password(
    tmp_path: Path, capsys
) -> None:
    users = tmp_path / "users.yml"
    assert main(["users", "add", "eve", "--role", "boss", "--users", str(users)]) == 2
    assert "unknown role 'boss'" in capsys.readouterr().err
    assert main(["users", "add", "eve", "--role", "agent", "--users", str(users)]) == 2
    assert "--agent-id is required for the agent role" in capsys.readouterr().err
    users.write_text("credentials: [not, a, mapping\n", encoding="utf-8")
    assert main(["users", "add", "eve", "--role", "finance", "--users", str(users)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("amicable: error:") and str(users) in err and len(err.splitlines()) == 1


@pytest.mark.usefixtures("no_password_prompt")
def test_users_add_refuses_an_agent_the_warehouse_does_not_know(
    sample_build, tmp_path: Path, capsys
) -> None:
    warehouse = str(sample_build.settings.warehouse)
    args = ["users", "add", "zed", "--role", "agent", "--users", str(tmp_path / "u.yml")]
    assert main([*args, "--agent-id", "AG999", "--warehouse", warehouse]) == 2
    err = capsys.readouterr().err
    assert err.startswith("amicable: error: unknown agent 'AG999': not among the ")
    assert f"agents of staging.stg_cases__agents in {warehouse} (AG001, " in err
    assert len(err.splitlines()) == 1 and not (tmp_path / "u.yml").exists()


@pytest.mark.usefixtures("no_password_prompt")
def test_users_add_with_an_agent_id_and_no_warehouse_says_to_build_first(
    tmp_path: Path, capsys
) -> None:
    args = ["users", "add", "zed", "--role", "agent", "--agent-id", "AG002"]
    none = tmp_path / "none.duckdb"
    assert main([*args, "--users", str(tmp_path / "u.yml"), "--warehouse", str(none)]) == 2
    assert capsys.readouterr().err == (
        f"amicable: error: cannot check agent 'AG002': no warehouse at {none} (run `amicable "
        "build` first, or give --warehouse)\n"
    )


def test_every_argument_of_every_command_has_help() -> None:
    import argparse

    from amicable.cli import _parser

    def missing(parser: argparse.ArgumentParser, path: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += missing(sub, f"{path} {name}")
            elif not (action.help or "").strip():
                found.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert missing(_parser(), "amicable") == []
