"""`--warehouse` of `amicable build` read once: a DuckDB file or a PostgreSQL URL
(`ingestion.pg_warehouse.warehouse_ref`), a bad URL refused in one line; the dbt profile's
variables taken from the URL, the password from it or PGPASSWORD. No server needed."""

from __future__ import annotations

from pathlib import Path

import pytest

from amicable.cli import main
from amicable.warehouse_ref import PostgresWarehouse, WarehouseError, warehouse_ref


def test_a_path_stays_a_duckdb_file() -> None:
    assert warehouse_ref("data/warehouse.duckdb") == Path("data/warehouse.duckdb")


def test_a_postgresql_url_is_a_postgres_warehouse() -> None:
    ref = warehouse_ref("postgresql://ana:s3cret@db.example:6543/marts")
    assert ref == PostgresWarehouse("postgresql://ana:s3cret@db.example:6543/marts")
    assert isinstance(ref, PostgresWarehouse)
    assert ref.masked == "postgresql://ana:***@db.example:6543/marts"
    assert ref.name == "marts@db.example-6543"
    assert ref.profile_env({"PGPASSWORD": "other"}) == {
        "AMICABLE_DBT_TARGET": "postgres",
        "AMICABLE_PG_HOST": "db.example",
        "AMICABLE_PG_PORT": "6543",
        "AMICABLE_PG_USER": "ana",
        "AMICABLE_PG_PASSWORD": "s3cret",
        "AMICABLE_PG_DATABASE": "marts",
    }


def test_without_a_password_in_the_url_pgpassword_gives_it_and_the_port_defaults() -> None:
    ref = warehouse_ref("postgres://ana@db.example/marts")
    assert isinstance(ref, PostgresWarehouse)
    env = ref.profile_env({"PGPASSWORD": "from-env"})
    assert (env["AMICABLE_PG_PASSWORD"], env["AMICABLE_PG_PORT"]) == ("from-env", "5432")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://ana:pw@db:3306/marts", "not a DuckDB file nor a PostgreSQL URL"),
        ("postgresql://ana:pw@db:port/marts", "the port is not a number"),
        ("postgresql://ana:pw@db:5432", "no database named"),
        ("postgresql://ana:pw@db:5432/", "no database named"),
    ],
)
def test_a_bad_url_is_refused_with_the_password_masked(url: str, reason: str) -> None:
    with pytest.raises(WarehouseError, match=reason) as caught:
        warehouse_ref(url)
    assert "pw" not in str(caught.value).replace("postgresql", "")
    assert ":***@" in str(caught.value)


def test_the_cli_refuses_a_bad_url_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--warehouse", "postgresql://ana:pw@db:x/marts"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        "amicable build: error: argument --warehouse: warehouse postgresql://ana:***@db:x/marts:"
        " the port is not a number (expected postgresql://USER@HOST:PORT/DATABASE)"
    )


@pytest.mark.parametrize("given", ["~nosuchuser-amicable/w.duckdb", "spark:~nosuchuser-amicable/s"])
def test_an_unknown_home_directory_is_one_line(
    given: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--warehouse", given])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        f"amicable build: error: argument --warehouse: warehouse {given}: "
        "no home directory for ~nosuchuser-amicable on this machine"
    )
