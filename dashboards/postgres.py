"""The query layer on a PostgreSQL warehouse (issue 16): the statements of `dashboards/sql/`
(DuckDB's dialect, the one source) translated by sqlglot, and a read-only connection (or, for
the few writers of a built warehouse, the case scores and the alerts, a writable one:
`writing`) that answers as a DuckDB connection does (`execute(sql, parameters)` then
`fetchone`, `fetchall`, `df`, `description`), so every query function runs unchanged on
either engine.

dbt puts the models in the same schemas on both engines (`macros/generate_schema_name.sql`:
`staging`, `intermediate`, `marts`), so `marts.x` names the same table in a DuckDB file and in
the PostgreSQL database. Parameters keep their form: DuckDB's `?` becomes psycopg2's `%s` (a
sequence of values), `$name` becomes `%(name)s` (a mapping), and a literal `%` is doubled.
Frames go through DuckDB's own pandas conversion (rows typed from PostgreSQL's column types as
Arrow), so a PostgreSQL frame has a DuckDB frame's dtypes: decimals as floats, dates as
datetime64, text as strings. The case file and the statement of account read raw rows
(`fetchall`: Decimal amounts, dates as dates) on either engine.
"""

from __future__ import annotations

import contextlib
import functools
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from amicable.warehouse_ref import PostgresWarehouse, Warehouse

_PARAMETER = "__amicable_parameter__"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_NAMED = re.compile(r"__amicable_named__(\w+?)__end__")

# PostgreSQL type oid -> the Arrow type DuckDB reads (others: inferred from the values).
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    114: pa.string(),  # json, kept as text (`connect` turns off psycopg2's parsing)
    700: pa.float32(),
    701: pa.float64(),
    1042: pa.string(),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
    1700: pa.float64(),  # numeric: DuckDB's frames give decimals as floats too
    3802: pa.string(),
}


@cache
def postgres_sql(duckdb_sql: str, schemas: tuple[tuple[str, str], ...] = ()) -> str:
    """`duckdb_sql` in PostgreSQL's dialect, parameters as `%s`, the schemas named in
    `schemas` (pairs: name in the statement, name read) renamed; ValueError naming the
    construct sqlglot cannot translate."""
    renamed = dict(schemas)
    try:
        (tree,) = sqlglot.parse(duckdb_sql, read="duckdb")
        text = tree.transform(functools.partial(_for_postgres, schemas=renamed)).sql(
            dialect="postgres", unsupported_level=ErrorLevel.RAISE
        )
    except sqlglot.errors.SqlglotError as error:
        raise ValueError(f"cannot translate to PostgreSQL: {error}") from error
    return _NAMED.sub(r"%(\1)s", text.replace("%", "%%").replace(_PARAMETER, "%s"))


def _for_postgres(node: exp.Expression, schemas: Mapping[str, str]) -> exp.Expression:
    """What sqlglot leaves in DuckDB's terms, in PostgreSQL's: a parameter (marked, to be
    `%s` or `%(name)s` once literal `%` are doubled; `$1` refused); `contains(text, part)`
    (PostgreSQL's `strpos`: taken as text, as every statement here uses it, never a list's
    `contains`); `round(x, n)` on a double (PostgreSQL rounds to places only a numeric:
    DuckDB's doubles are within a rounding of it); `arg_max(x, y)` (PostgreSQL 15 has none:
    the first `x` by `y` descending, rows without `y` left out); `to_days(n)` (`n` times one
    day); a schema named in `schemas`, renamed."""
    if isinstance(node, exp.Table) and node.db in schemas:
        node.set("db", exp.to_identifier(schemas[node.db]))
        return node
    if isinstance(node, exp.Placeholder):
        name = node.name
        if name.isdigit():  # `$1`: psycopg2 has no numbered parameters
            raise sqlglot.errors.SqlglotError(f"${name}: use `?` or `$name` parameters")
        return exp.var(_PARAMETER if name in ("", "?") else f"__amicable_named__{name}__end__")
    if isinstance(node, exp.Contains):
        found = exp.func("strpos", node.this, node.expression)
        greater = exp.GT(this=found, expression=exp.Literal.number(0))
        return greater.transform(functools.partial(_for_postgres, schemas=schemas))
    if isinstance(node, exp.ToDays):  # PostgreSQL has no to_days: n times one day
        day = exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY"))
        days = node.this.transform(functools.partial(_for_postgres, schemas=schemas))
        return exp.Mul(this=exp.Paren(this=days), expression=day)
    if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
        node.set("this", exp.cast(node.this, "numeric"))
        return node
    if isinstance(node, exp.ArgMax):
        inner = functools.partial(_for_postgres, schemas=schemas)
        value = node.this.transform(inner).sql("postgres")
        key = node.expression.transform(inner).sql("postgres")
        return sqlglot.parse_one(
            f"(array_agg({value} order by {key} desc) filter (where {key} is not null))[1]",
            read="postgres",
        )
    return node


# DuckDB types PostgreSQL has no name for, as the PostgreSQL type that holds their values.
_WIDENED = {
    "NULL": "text",  # a column of nulls only
    "TIMESTAMP_NS": "timestamp",  # microseconds: PostgreSQL's precision
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "HUGEINT": "numeric",
    "UHUGEINT": "numeric",
}


def _postgres_type(duckdb_type: str) -> str:
    """PostgreSQL's name of DuckDB type `duckdb_type` (a frame's column, `register`); a list,
    struct or map (whose CSV form PostgreSQL would not read) is refused."""
    name = duckdb_type.strip('"')
    if name in _WIDENED:
        return _WIDENED[name]
    kind = exp.DataType.build(name, dialect="duckdb")
    if kind.is_type(*exp.DataType.NESTED_TYPES):
        raise ValueError(f"cannot register a column of type {name} on PostgreSQL")
    return kind.sql("postgres")


class Result:
    """A statement's rows, read as from a DuckDB connection after `execute`."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.description = cursor.description

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def df(self) -> pd.DataFrame:
        return frame(self.description, self._cursor.fetchall())


class PostgresConnection:
    """A psycopg2 connection answering `execute(duckdb_sql, parameters)` and
    `executemany(duckdb_sql, rows)` as a DuckDB connection does; `warehouse`: the database it
    reads. Read-only unless `connect(..., writable=True)` made it, then in one transaction
    that `commit` ends (`writing` commits on success, rolls back on an error)."""

    def __init__(
        self, connection: Any, warehouse: PostgresWarehouse, schemas: Mapping[str, str] = {}
    ) -> None:
        self._connection = connection
        self.warehouse = warehouse
        self._schemas = tuple(sorted(schemas.items()))  # statements' schema -> schema read

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Result:
        """`sql` (DuckDB's dialect) with `?` and a sequence, or `$name` and a mapping."""
        cursor = self._connection.cursor()
        values = dict(parameters) if isinstance(parameters, Mapping) else list(parameters)
        cursor.execute(postgres_sql(sql, self._schemas), values)
        return Result(cursor)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """`sql` (DuckDB's dialect, `?` parameters) once per row of `rows`, in pages."""
        with self._connection.cursor() as cursor:
            rows = [list(row) for row in rows]
            psycopg2.extras.execute_batch(cursor, postgres_sql(sql, self._schemas), rows)

    def schema_read(self, schema: str) -> str:
        """The schema this connection reads when a statement names `schema`."""
        return dict(self._schemas).get(schema, schema)

    def register(self, name: str, data: pd.DataFrame) -> None:
        """`data` as temporary table `name` until the transaction ends, as DuckDB's `register`
        makes a frame a view: its columns typed as DuckDB types the frame, its rows copied by
        COPY from the CSV DuckDB writes (an empty string quoted, NULL left empty). Only on a
        writable connection: PostgreSQL creates no table in a read-only transaction."""
        if self._connection.autocommit:
            raise ValueError(f"cannot register {name}: the connection is read-only")
        if not _IDENTIFIER.match(name):
            raise ValueError(f"cannot register {name!r}: not a plain lower-case name")
        with duckdb.connect() as duck, tempfile.TemporaryDirectory(prefix="amicable-") as work:
            relation = duck.from_df(data)
            types = [_postgres_type(str(kind)) for kind in relation.types]
            columns = ", ".join(f'"{c}" {t}' for c, t in zip(relation.columns, types, strict=True))
            csv = Path(work) / f"{name}.csv"
            relation.write_csv(str(csv))
            with self._connection.cursor() as cursor, csv.open(encoding="utf-8") as rows:
                cursor.execute(f"create temporary table {name} ({columns}) on commit drop")
                cursor.copy_expert(f"copy {name} from stdin with (format csv, header true)", rows)

    def unregister(self, name: str) -> None:
        """Drop temporary table `name` (`register`), if the transaction still has it; nothing
        in a transaction a failed statement aborted (called from a `finally`, it must not hide
        that statement's error)."""
        if not _IDENTIFIER.match(name):
            raise ValueError(f"cannot unregister {name!r}: not a plain lower-case name")
        status = self._connection.info.transaction_status
        if status == psycopg2.extensions.TRANSACTION_STATUS_INERROR:
            return  # a statement failed: the rollback drops the table, and its error stands
        with self._connection.cursor() as cursor:
            cursor.execute(f"drop table if exists pg_temp.{name}")

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


# A read-only connection to a warehouse on either engine, as its readers take it.
Connection = duckdb.DuckDBPyConnection | PostgresConnection


def connect(
    warehouse: PostgresWarehouse, writable: bool = False, schemas: Mapping[str, str] = {}
) -> PostgresConnection:
    """A read-only connection to `warehouse` (psycopg2's errors pass through:
    `dashboards.queries.core` types them); `writable`: one that writes, in a transaction
    (`writing`); `schemas`: schemas its statements name and the ones it reads instead (the
    build's checks read the unpublished schemas, `orchestration.pg_publish`)."""
    connection = psycopg2.connect(warehouse.url, connect_timeout=10)
    try:
        connection.set_session(readonly=not writable, autocommit=not writable)
        # JSON columns as text, as DuckDB gives them
        psycopg2.extras.register_default_json(connection, loads=_text)
        psycopg2.extras.register_default_jsonb(connection, loads=_text)
    except BaseException:
        connection.close()
        raise
    return PostgresConnection(connection, warehouse, schemas)


@contextlib.contextmanager
def writing(
    warehouse: PostgresWarehouse, schemas: Mapping[str, str] = {}
) -> Iterator[PostgresConnection]:
    """A writable connection to `warehouse` (its statements' schemas renamed as `schemas`
    says, as `connect`'s) whose work is committed when the block ends (and wherever `commit`
    is called), rolled back when it raises; closed either way. A rollback that fails (the
    server gone) leaves the block's own error to be seen."""
    con = connect(warehouse, writable=True, schemas=schemas)
    try:
        yield con
        con.commit()
    except BaseException:
        with contextlib.suppress(psycopg2.Error):
            con.rollback()
        raise
    finally:
        con.close()


def has_table(con: Connection, schema: str, table: str) -> bool:
    """Whether the database `con` reads holds `schema.table` (a table or a view), on either
    engine (on PostgreSQL, in the schema `con` reads for `schema`: `connect`'s `schemas`)."""
    if isinstance(con, PostgresConnection):
        schema = con.schema_read(schema)
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ?"
        " and table_name = ? and table_catalog = current_database()",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def commit(con: Connection) -> None:
    """Make what `con` wrote so far permanent: a PostgreSQL connection of `writing` commits its
    transaction; a DuckDB connection has committed each statement already."""
    if isinstance(con, PostgresConnection):
        con.commit()


def rollback(con: Connection) -> None:
    """Undo what `con` wrote since its last commit, on PostgreSQL (its transaction is unusable
    after an error until then); nothing to do on DuckDB (each statement its own)."""
    if isinstance(con, PostgresConnection):
        with contextlib.suppress(psycopg2.Error):
            con.rollback()


def _text(value: str) -> str:
    return value


def frame(description: Sequence[Any], rows: list[tuple]) -> pd.DataFrame:
    """`rows` as DuckDB's `df()` gives the same columns."""
    arrays = []
    for index, column in enumerate(description):
        values = [row[index] for row in rows]
        kind = _ARROW_TYPES.get(column.type_code)
        if kind is not None and pa.types.is_floating(kind):
            values = [None if value is None else float(value) for value in values]
        arrays.append(pa.array(values, type=kind))
    table = pa.table(arrays, names=[column.name for column in description])
    with duckdb.connect() as convert:
        return convert.from_arrow(table).df()


# A table, view or schema the statement names is absent (the warehouse not built), on either
# engine: what a reader of both catches.
MISSING_RELATION: tuple[type[Exception], ...] = (
    duckdb.CatalogException,
    psycopg2.errors.UndefinedTable,
    psycopg2.errors.InvalidSchemaName,
)


# ... or a column it names (a warehouse built by an older version), on PostgreSQL; DuckDB's
# is a BinderException, which its readers catch as duckdb.Error.
MISSING_COLUMN_OR_RELATION = (*MISSING_RELATION, psycopg2.errors.UndefinedColumn)


def missing_relation(error: Exception) -> bool:
    """A table, view or schema the statement names is absent (the warehouse not built)."""
    return isinstance(error, MISSING_RELATION)


def warehouse_of(con: Connection) -> Warehouse:
    """The warehouse `con` reads: its PostgreSQL database, or its DuckDB file (`:memory:` for
    a connection without one), as provenance names it (a URL's `str` masks its password)."""
    if isinstance(con, PostgresConnection):
        return con.warehouse
    row = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(row[0]).resolve() if row and row[0] else Path(":memory:")


def first_line(error: Exception) -> str:
    """psycopg2's message as one line (libpq's `FATAL:` / `ERROR:` prefixes left out)."""
    text = " ".join(str(error).split("\n")[0].split())
    for prefix in ("FATAL: ", "ERROR: "):
        text = text.replace(prefix, "")
    return text or type(error).__name__
