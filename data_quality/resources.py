"""Dagster resources shared by ingestion, dbt and the data-quality checks: the DuckDB
warehouse and the business-threshold file."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from amicable.config import Config, load_config
from amicable.settings import memory_limit


class WarehouseResource(dg.ConfigurableResource):
    """A DuckDB warehouse file. `path` is the database file (created on first write)."""

    path: str

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """Open a connection; close it (or use it as a context manager) when done.

        A read-only connection needs an existing file. DuckDB allows one writing process per
        file, and in one process all connections to a file must share the same `read_only`.
        The database's memory is capped at `amicable.settings.memory_limit()`, as dbt's is.
        """
        if read_only and not Path(self.path).exists():
            raise FileNotFoundError(f"warehouse {self.path} does not exist")
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(self.path, read_only=read_only)
        # A setting of the database, not of the connection: the same for every connection.
        con.execute(f"set memory_limit = '{memory_limit()}'")
        return con


class BusinessConfig(dg.ConfigurableResource):
    """The business-threshold file (config/amicable.yml), read when a run step needs it."""

    path: str

    def config(self) -> Config:
        return load_config(Path(self.path))

    def dbt_vars(self) -> dict:
        return self.config().dbt_vars()
