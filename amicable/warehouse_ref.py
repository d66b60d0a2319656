"""A warehouse reference: a DuckDB file or a PostgreSQL database named by its URL (issue 16).

`amicable serve --warehouse` and `AMICABLE_WAREHOUSE` take either; `warehouse_ref` is the one
place that tells them apart. A PostgreSQL warehouse is `postgresql://USER@HOST:PORT/DB` (or
`postgres://`), its password in the URL or in `PGPASSWORD` (libpq reads it); its `str` masks
the password, so it can go into messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ingestion.source_db import masked

POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class PostgresWarehouse:
    """A warehouse in a PostgreSQL database (the marts built there by dbt-postgres)."""

    url: str

    def __str__(self) -> str:
        return masked(self.url)


Warehouse = Path | PostgresWarehouse


def warehouse_ref(value: str | Path | PostgresWarehouse) -> Warehouse:
    """`value` as a warehouse reference: a PostgreSQL URL, else a DuckDB file's path."""
    if isinstance(value, PostgresWarehouse | Path):
        return value
    text = str(value).strip()
    if urlsplit(text).scheme in POSTGRES_SCHEMES:
        return PostgresWarehouse(text)
    return Path(text).expanduser()


def location(warehouse: Warehouse) -> str:
    """The text that names `warehouse` again through `warehouse_ref` (a PostgreSQL URL keeps
    its password: for the environment and cache keys, not for messages)."""
    return warehouse.url if isinstance(warehouse, PostgresWarehouse) else str(warehouse)
