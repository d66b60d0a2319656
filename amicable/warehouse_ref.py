"""A warehouse reference: a DuckDB file or a PostgreSQL database named by its URL (issue 16),
and, for `amicable build` only, Apache Spark in local mode (`spark:DIR`).

`amicable build --warehouse`, `amicable serve --warehouse` and `AMICABLE_WAREHOUSE` take
either; `warehouse_ref` is the one place that tells them apart and checks a URL. A PostgreSQL
warehouse is `postgresql://USER@HOST:PORT/DB` (or `postgres://`), its password in the URL, else
`PGPASSWORD` or `~/.pgpass` as for any libpq client; its `str` masks the password (as
`ingestion.source_db` does), so it can go into messages.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ingestion.source_db import masked

POSTGRES_SCHEMES = ("postgresql", "postgres")
EXPECTED = "expected postgresql://USER@HOST:PORT/DATABASE"


class WarehouseError(Exception):
    """The warehouse cannot be used as given (one line, password masked)."""


@dataclass(frozen=True)
class PostgresWarehouse:
    """A warehouse in a PostgreSQL database (the raw layer shipped there, the marts built there
    by dbt-postgres)."""

    url: str  # holds the password: `str`, `repr` and `masked` mask it

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"PostgresWarehouse({self.masked!r})"

    @property
    def masked(self) -> str:
        return masked(self.url)

    @property
    def name(self) -> str:
        """`DB@HOST-PORT`: the name of the local files of its builds (log, dbt artifacts)."""
        parts = urlsplit(self.url)
        return f"{self.database}@{parts.hostname or 'localhost'}-{parts.port or 5432}"

    @property
    def database(self) -> str:
        return unquote(urlsplit(self.url).path.lstrip("/"))

    def profile_env(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The variables profiles.yml's `postgres` output reads, and the target naming it; the
        password from the URL, else `PGPASSWORD`."""
        env = os.environ if env is None else env
        parts = urlsplit(self.url)
        password = unquote(parts.password) if parts.password is not None else None
        return {
            "AMICABLE_DBT_TARGET": "postgres",
            "AMICABLE_PG_HOST": parts.hostname or "localhost",
            "AMICABLE_PG_PORT": str(parts.port or 5432),
            "AMICABLE_PG_USER": unquote(parts.username or "") or env.get("PGUSER", ""),
            "AMICABLE_PG_PASSWORD": password or env.get("PGPASSWORD", ""),
            "AMICABLE_PG_DATABASE": self.database,
        }


SPARK_PREFIX = "spark:"


@dataclass(frozen=True)
class SparkWarehouse:
    """The models built on Apache Spark in local mode (`orchestration.spark_build`), every
    file of it under one directory: the ingestion's DuckDB file, the raw layer as Parquet,
    Spark's metastore and tables. Named `spark:DIR` (`spark:data/spark`): never a DuckDB path."""

    directory: Path

    def __str__(self) -> str:
        return f"{SPARK_PREFIX}{self.directory}"


Warehouse = Path | PostgresWarehouse


def warehouse_ref(
    value: str | Path | PostgresWarehouse | SparkWarehouse, spark: bool = False
) -> Warehouse | SparkWarehouse:
    """`value` as a warehouse reference: a PostgreSQL warehouse for a `postgresql://`
    (`postgres://`) URL, with `spark` a Spark warehouse for `spark:DIR`, else a DuckDB file's
    path; raises WarehouseError for a URL of another scheme, with a port that is not a number
    or without a database, and for `spark:` where only a DuckDB or PostgreSQL warehouse is
    read (the dashboard)."""
    if isinstance(value, PostgresWarehouse | Path | SparkWarehouse):
        return value
    text = str(value).strip()
    if text.lower().startswith(SPARK_PREFIX):
        return _spark(text, spark)
    if "://" not in text:
        return _local(text, text)
    parts = urlsplit(text)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise WarehouseError(
            f"warehouse {masked(text)}: not a DuckDB file nor a PostgreSQL URL ({EXPECTED})"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise WarehouseError(
            f"warehouse {masked(text)}: the port is not a number ({EXPECTED})"
        ) from None
    database = parts.path.lstrip("/")
    if not database or "/" in database:
        raise WarehouseError(f"warehouse {masked(text)}: no database named ({EXPECTED})")
    return PostgresWarehouse(text)


def _spark(text: str, allowed: bool) -> SparkWarehouse:
    directory = text[len(SPARK_PREFIX) :]
    if not allowed:
        raise WarehouseError(
            f"warehouse {text}: a Spark warehouse is built (amicable build), not read; "
            "the dashboard reads a DuckDB file or a PostgreSQL URL"
        )
    if not directory or directory.startswith("//"):
        raise WarehouseError(
            f"warehouse {text}: expected spark:DIR, a local directory for Spark's files "
            '(a cluster is the profile\'s `spark` output, README "Apache Spark as a warehouse")'
        )
    return SparkWarehouse(_local(directory, text))


def _local(path: str, text: str) -> Path:
    """`path` with a leading `~` or `~user` expanded; WarehouseError (naming `text`, what was
    given) when that home directory is unknown."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        raise WarehouseError(
            f"warehouse {text}: no home directory for {path.split('/')[0]} on this machine"
        ) from None


def location(warehouse: Warehouse) -> str:
    """The text that names `warehouse` again through `warehouse_ref` (a PostgreSQL URL keeps
    its password: for the environment and cache keys, not for messages)."""
    return warehouse.url if isinstance(warehouse, PostgresWarehouse) else str(warehouse)
