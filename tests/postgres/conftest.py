"""A PostgreSQL server of the tests' own (issue 16): a cluster created for the test session on a
free port of its own, with a login role and a database both named `amicable`, removed at the
end. As root (CI), Debian's `pg_createcluster` / `pg_dropcluster` (initdb refuses to run as
root; the cluster belongs to the `postgres` user); otherwise `initdb` and `pg_ctl` in a
temporary directory, as the current user.

Without PostgreSQL's binaries (`apt-get install postgresql`) the tests that use it are skipped,
with that reason; with AMICABLE_REQUIRE_POSTGRES=1 (as `.ci/run` sets) they fail instead, so CI
cannot skip them silently."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from amicable.engine_compare import Built, Engine, Sample, build
from amicable.warehouse_ref import PostgresWarehouse
from orchestration.engines import postgres_engine
from tests.conftest import SampleBuild

REQUIRE_ENV = "AMICABLE_REQUIRE_POSTGRES"
NAME = "amicable"  # the role, its password and the database


@dataclass(frozen=True)
class PostgresServer:
    port: int
    host: str = "localhost"

    def settings(self) -> dict[str, str | int]:
        """psycopg2's connection arguments."""
        return {
            "host": self.host,
            "port": self.port,
            "user": NAME,
            "password": NAME,
            "dbname": NAME,
        }

    def fresh_database(self, name: str, template: str = "template1") -> dict[str, str | int]:
        """Database `name` dropped if it exists and created empty, or as a copy of the database
        `template` (none may be connected to it); psycopg2's settings for it."""
        with contextlib.closing(psycopg2.connect(**self.settings())) as admin:
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f"drop database if exists {name} with (force)")
                cur.execute(f"create database {name} template {template}")
        return self.settings() | {"dbname": name}

    def url(self, database: str = NAME, password: str = NAME) -> str:
        return f"postgresql://{NAME}:{password}@{self.host}:{self.port}/{database}"

    def environment(self) -> dict[str, str]:
        """The variables profiles.yml's `postgres` output reads, and the target naming it."""
        return {
            "AMICABLE_DBT_TARGET": "postgres",
            "AMICABLE_PG_HOST": self.host,
            "AMICABLE_PG_PORT": str(self.port),
            "AMICABLE_PG_USER": NAME,
            "AMICABLE_PG_PASSWORD": NAME,
            "AMICABLE_PG_DATABASE": NAME,
        }


def by_code_point(rows: list[tuple]) -> list[tuple]:
    """`rows` sorted as Python compares them (text by code point, nulls first), whatever the
    database's collation: to compare what both engines hold."""
    return sorted(rows, key=lambda row: tuple((value is not None, value) for value in row))


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries (Debian's /usr/lib/postgresql/<version>/bin,
    else `initdb` on PATH), or None."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
    )
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail when the environment requires PostgreSQL."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires the PostgreSQL tests to run")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str]) -> None:
    """Run `command`; a failure names it with its output."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
        )


@contextlib.contextmanager
def debian_cluster(bin_dir: Path, port: int) -> Iterator[None]:
    """As root: a cluster of Debian's postgresql-common, owned by the `postgres` user, with
    password logins on localhost (Debian's pg_hba.conf). The role `amicable` is no superuser
    but may signal other sessions (`pg_signal_backend`): `drop database ... with (force)` ends
    every session on the database, an autovacuum worker's too, and refuses without it (a
    worker busy on the database just copied made a test's set-up fail now and then)."""
    version, cluster = bin_dir.parent.name, f"amicable_test_{os.getpid()}"
    run(["pg_createcluster", "--port", str(port), "--start", version, cluster])
    try:
        run([
            "runuser", "-u", "postgres", "--", str(bin_dir / "psql"), "--port", str(port),
            "--quiet", "--set", "ON_ERROR_STOP=1",
            "--command", f"create role {NAME} login createdb password '{NAME}'",
            "--command", f"grant pg_signal_backend to {NAME}",
            "--command", f"create database {NAME} owner {NAME}",
        ])  # fmt: skip
        yield
    finally:
        run(["pg_dropcluster", "--stop", version, cluster])


@contextlib.contextmanager
def own_cluster(bin_dir: Path, port: int, root: Path) -> Iterator[None]:
    """As any other user: `initdb` (the superuser is `amicable`, local logins trusted) and
    `pg_ctl` in `root`."""
    data = root / "data"
    run([str(bin_dir / "initdb"), "--pgdata", str(data), "--username", NAME, "--auth", "trust"])
    run([
        str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--log", str(root / "server.log"),
        "--options", f"-p {port} -k {root} -c listen_addresses=localhost", "--wait", "start",
    ])  # fmt: skip
    try:
        with contextlib.closing(
            psycopg2.connect(host="localhost", port=port, user=NAME, dbname="postgres")
        ) as con:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f"create database {NAME}")
        yield
    finally:
        run([str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--mode", "fast", "stop"])


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """A running PostgreSQL with an empty database `amicable` that the role `amicable`
    (password `amicable`, allowed to create databases) owns, on localhost at a port of its
    own."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed (no initdb): apt-get install postgresql")
    port = free_port()
    if os.geteuid() == 0:
        if shutil.which("pg_createcluster") is None:
            unavailable("running as root needs Debian's pg_createcluster (postgresql-common)")
        cluster = debian_cluster(bin_dir, port)
    else:
        cluster = own_cluster(bin_dir, port, tmp_path_factory.mktemp("postgres"))
    with cluster:
        yield PostgresServer(port)


@dataclass(frozen=True)
class TinyOnPostgres:
    """The tiny sample built once on PostgreSQL as `amicable compare-engines` builds it."""

    database: str
    settings: dict[str, str | int]  # psycopg2's
    engine: Engine
    built: Built
    progress: str  # the build's progress lines

    @property
    def url(self) -> str:
        return f"postgresql://{NAME}:{NAME}@localhost:{self.settings['port']}/{self.database}"


TINY_DATABASE = "amicable_tiny"


@pytest.fixture(scope="session")
def tiny_on_postgres(
    sample_build: SampleBuild,
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> TinyOnPostgres:
    """The session's tiny sample (`sample_build`'s landing zone and as-of date) built once on
    PostgreSQL, in database TINY_DATABASE, by the engine `amicable compare-engines` builds on
    (`orchestration.engines.postgres_engine`: `orchestration.pg_build.run_pg_build`, as
    `amicable build --warehouse postgresql://...`). Read-only by convention: a test that
    writes builds on a copy (`PostgresServer.fresh_database(name, template)`)."""
    settings = postgres_server.fresh_database(TINY_DATABASE)
    warehouse = PostgresWarehouse(postgres_server.url(TINY_DATABASE))
    files = tmp_path_factory.mktemp("pg_tiny") / warehouse.name
    engine = postgres_engine(warehouse, files)
    source = sample_build.settings
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        built = build(engine, Sample(source.landing, source.as_of, source.config))
    return TinyOnPostgres(TINY_DATABASE, settings, engine, built, printed.getvalue())
