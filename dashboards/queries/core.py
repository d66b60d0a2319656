"""The query layer's core: read-only connections, statements from `dashboards/sql/`, errors.

Every query function opens a read-only connection (`connect_read_only`) to the warehouse, a
DuckDB file or a PostgreSQL database (`amicable.warehouse_ref`; PostgreSQL: `dashboards.postgres`,
which translates the statements with sqlglot), runs one statement from `dashboards/sql/` with
`?` parameters (`_execute`, `_frame`, `_values`), closes the connection and returns a pandas
frame (or a small typed record). A warehouse that cannot be read becomes a
`WarehouseUnavailable` subclass whose `message` is fit to show to a user. Arguments that reach
SQL are checked here first (`_check_choice`, `_check_month`, `_month_range`, ...). The reads
every page shares (the case timeline, an agent's own cases) live here too.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg2

from amicable.settings import WAREHOUSE_ENV
from amicable.warehouse_ref import PostgresWarehouse, Warehouse, WarehouseError, warehouse_ref
from dashboards import postgres

SEGMENTS: tuple[str, ...] = ("all", "B2B", "B2C")
ALL = "all"  # the filter value that keeps every row
SQL_DIR = Path(__file__).parents[1] / "sql"  # dashboards/sql/
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_WITH = re.compile(r"^-- with: (\w+)$", re.MULTILINE)  # a statement a statement reads
_STATEMENT_WITH = re.compile(r"^with ", re.MULTILINE)  # the statement's own `with` clause

_BUILD_HINT = "run `amicable build`"


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read; `message` is for the user, `detail` for the curious."""

    message = "The warehouse cannot be read."

    def __init__(self, warehouse: Warehouse | str | None, detail: str) -> None:
        # a PostgreSQL warehouse shows its URL with the password masked
        self.warehouse = None if warehouse is None else _reference_or_none(warehouse)
        self.detail = detail
        super().__init__(f"{self.message} ({detail})")


class WarehouseNotBuilt(WarehouseUnavailable):
    """No warehouse file, or the marts are not there yet."""

    message = f"No warehouse yet: {_BUILD_HINT}."


class WarehouseBusy(WarehouseUnavailable):
    """A build holds the warehouse's write lock."""

    message = "The warehouse is being built right now; retry in a moment."


class WarehouseUnreadable(WarehouseUnavailable):
    """The file is not a DuckDB warehouse, or its marts do not match this app."""

    message = f"The warehouse cannot be read by this version of the app: {_BUILD_HINT}."


class WarehouseUnreachable(WarehouseUnavailable):
    """A PostgreSQL warehouse's server is down, or refuses the sign-in or the database."""

    message = "The warehouse's database server cannot be reached or refused the connection."


def warehouse_from_env(environ: Mapping[str, str] | None = None) -> Warehouse:
    """The warehouse `AMICABLE_WAREHOUSE` names, a DuckDB file or a PostgreSQL URL (read now,
    not at import)."""
    value = (os.environ if environ is None else environ).get(WAREHOUSE_ENV, "").strip()
    if not value:
        raise WarehouseNotBuilt(
            None,
            f"{WAREHOUSE_ENV} is not set; start the app with `amicable serve --warehouse FILE`",
        )
    try:
        return warehouse_ref(value)
    except WarehouseError as error:
        raise WarehouseUnavailable(None, f"{WAREHOUSE_ENV}: {error}") from None


def _reference_or_none(warehouse: Warehouse | str) -> Warehouse | None:
    """The reference an error names; None when the text is not one (its own error says so)."""
    try:
        return warehouse_ref(warehouse)
    except WarehouseError:
        return None


def case_timeline(warehouse: Path | str, case_id: str) -> pd.DataFrame:
    """Every source record of one case in time order (`marts.fct_case_timeline`)."""
    return _frame(warehouse, "case_timeline", (case_id,))


def agent_case_ids(warehouse: Path | str, agent_id: str) -> list[str]:
    """Cases `agent_id` owns now (`marts.dim_cases`)."""
    return list(_frame(warehouse, "agent_case_ids", (agent_id,))["case_id"])


def check_reachable(warehouse: Warehouse | str) -> None:
    """Open and close a connection to `warehouse`: a typed error when it cannot be."""
    with connect_read_only(warehouse):
        pass


@cache
def sql_text(name: str) -> str:
    """The statement stored in `dashboards/sql/<name>.sql`. A line `-- with: other` makes the
    statement `other.sql` a relation of it, named `other`: put first in its `with` clause
    (so `other`'s `?` parameters come before its own)."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    shared = ",\n".join(f"{other} as (\n{sql_text(other)})" for other in _WITH.findall(text))
    if not shared:
        return text
    statement = _STATEMENT_WITH.search(text)
    if statement is None:
        raise ValueError(
            f"dashboards/sql/{name}.sql: `-- with:` needs a statement that starts with `with`"
        )
    return f"{text[: statement.start()]}with {shared},\n{text[statement.end() :]}"


def _frame(warehouse: Path | str, name: str, parameters: Sequence[Any]) -> pd.DataFrame:
    with connect_read_only(warehouse) as connection:
        return _execute(connection, warehouse, name, parameters).df()


def _values(warehouse: Path | str, name: str, column: str) -> list[str]:
    return [str(value) for value in _frame(warehouse, name, ())[column]]


def _execute(
    connection: duckdb.DuckDBPyConnection | postgres.PostgresConnection,
    warehouse: Path | str,
    name: str,
    parameters: Sequence[Any],
) -> Any:
    """`dashboards/sql/<name>.sql` run on `connection`: DuckDB's connection, or on PostgreSQL a
    result answering as DuckDB's does (fetchone, fetchall, df, description)."""
    try:
        return connection.execute(sql_text(name), list(parameters))
    except duckdb.CatalogException as error:
        raise WarehouseNotBuilt(warehouse, f"{name}: {_first_line(error)}") from error
    except duckdb.BinderException as error:
        raise WarehouseUnreadable(warehouse, f"{name}: {_first_line(error)}") from error
    except psycopg2.Error as error:
        detail = f"{name}: {postgres.first_line(error)}"
        raise _postgres_error(warehouse, detail, error) from error


@contextmanager
def connect_read_only(
    warehouse: Warehouse | str,
) -> Iterator[duckdb.DuckDBPyConnection | postgres.PostgresConnection]:
    """A read-only connection, closed on exit; open failures become typed errors."""
    reference = warehouse_ref(warehouse)
    if isinstance(reference, PostgresWarehouse):
        with _connect_postgres(reference) as connection:
            yield connection
        return
    path = reference
    if not path.is_file():
        raise WarehouseNotBuilt(path, f"no file at {path}")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException as error:
        # Same process already holds the file with another configuration (a running build).
        raise WarehouseBusy(path, _first_line(error)) from error
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(path, _first_line(error)) from error
        raise WarehouseUnreadable(path, _first_line(error)) from error
    try:
        yield connection
    finally:
        connection.close()


@contextmanager
def _connect_postgres(warehouse: PostgresWarehouse) -> Iterator[postgres.PostgresConnection]:
    try:
        connection = postgres.connect(warehouse)
    except psycopg2.Error as error:
        raise WarehouseUnreachable(warehouse, postgres.first_line(error)) from error
    try:
        yield connection
    except psycopg2.Error as error:  # a statement run outside `_execute` (amicable.scores)
        raise _postgres_error(warehouse, postgres.first_line(error), error) from error
    finally:
        connection.close()


def _postgres_error(warehouse: Path | str, detail: str, error: Exception) -> WarehouseUnavailable:
    if postgres.missing_relation(error):
        return WarehouseNotBuilt(warehouse, detail)
    return WarehouseUnreadable(warehouse, detail)


def _check_choice(field: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(map(str, allowed))}; got {value!r}")


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be zero or more; got {limit}")


def _check_range(first: dt.date, last: dt.date) -> None:
    if first >= last:
        raise ValueError(f"the first snapshot must come before the last; got {first} and {last}")


def _check_month(month: str) -> None:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"a month must read YYYY-MM; got {month!r}")


def _month_range(first_month: str, last_month: str) -> tuple[str, str]:
    _check_month(first_month)
    _check_month(last_month)
    return first_month, last_month


def _period(first_month: str, last_month: str) -> tuple[dt.date, dt.date]:
    """The first days of two 'YYYY-MM' months: the key of a period in the marts that publish a
    figure per period of months (`first_month`, `last_month`)."""
    first, last = _month_range(first_month, last_month)
    return _first_day(first), _first_day(last)


def _first_day(month: str) -> dt.date:
    year, number = month.split("-")
    return dt.date(int(year), int(number), 1)


def _optional_float(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):  # pandas returns DATE columns as timestamps
        return value.date()
    return value


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
