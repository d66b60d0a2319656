"""Atomic publication on a PostgreSQL warehouse: dbt builds unpublished schemas, one
transaction renames them over the published ones.

The schemas readers query (`staging`, `intermediate`, `marts`, and `test_failures`, the views
of the data tests' failing rows) are the last published build. dbt writes their unpublished
twins, `<schema>__unpublished` (the `schema_suffix` var, `macros/generate_schema_name.sql`):

0. the whole build holds the warehouse's build lock (`build_lock`, a session advisory lock):
   a second build on the same database stops in one line, as on DuckDB;
1. before dbt, when the unpublished models do not exist but published ones do (the second
   build of a warehouse), the published schemas' tables (and `build_state`'s: `SWAPPED`)
   are copied into unpublished schemas (replacing any twin found without the models) in one
   transaction (`prepare`), so the incremental models continue the published build instead
   of rebuilding it all (no copy when the build recomputes everything anyway: a changed
   project or settings, `--full-refresh`, an earlier as-of date); otherwise the unpublished
   schemas hold the build before the last one (or a rejected one), and the incremental models
   continue it: the raw layer is shared and append-only, so every row loaded since that
   build's own `marts.dim_build` is new to it;
2. dbt runs its models and data tests there (readers see none of it);
3. when no check blocks, one transaction swaps every schema with its unpublished twin
   (`publish`; `build_state` too, the tested marks that describe the models' rows,
   `data_quality.tested_marks`): a query that started before reads the old build to its end,
   the next one reads the new build; the previous build becomes the unpublished one the next build
   continues. When a check blocks, nothing is renamed: readers keep the last good build and
   the rejected one stays unpublished until the next build continues it.

PostgreSQL's DDL is transactional, so a build stopped at any point leaves the published
schemas whole. Privileges granted on a schema or its tables belong to the object, not the
name: a reader role granted on `marts` would follow the old build to `marts__unpublished`
(this project grants none; a deployment that does re-applies its grants after publication).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from amicable.warehouse_ref import PostgresWarehouse, WarehouseError
from data_quality import tested_marks
from ingestion.pg_warehouse import connect
from ingestion.source_db import _libpq_line

PUBLISHED = ("staging", "intermediate", "marts", "test_failures")
# What publication swaps: the schemas readers query, and the state the build keeps of its own
# models (`data_quality.tested_marks`), which must stay beside the rows it describes.
SWAPPED = (*PUBLISHED, tested_marks.SCHEMA)
SUFFIX = "__unpublished"
LOCK = "amicable build"  # the build lock's name (hashed to its advisory lock key)

BuildRow = tuple[str | None, object] | None  # dim_build's fingerprint and as-of date, or None


@contextlib.contextmanager
def one_line(warehouse: PostgresWarehouse, doing: str) -> Iterator[None]:
    """A PostgreSQL error while `doing` as one line naming the warehouse (WarehouseError)."""
    import psycopg2

    try:
        yield
    except psycopg2.Error as exc:
        raise WarehouseError(f"warehouse {warehouse.masked}: {doing}: {_libpq_line(exc)}") from None


@contextlib.contextmanager
def build_lock(warehouse: PostgresWarehouse) -> Iterator[None]:
    """Hold the warehouse's build lock while the block runs (a session advisory lock, released
    when its connection closes, also when the process dies); WarehouseError when another
    build holds it."""
    with connect(warehouse) as con:
        con.autocommit = True
        with one_line(warehouse, "cannot take the build lock"), con.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(hashtext(%s))", [LOCK])
            (taken,) = cur.fetchone()
        if not taken:
            raise WarehouseError(
                f"warehouse {warehouse.masked}: another build, or `amicable alerts` or `amicable "
                f"scores`, is running on it (advisory lock "
                f"'{LOCK}'); nothing was done, the published build is unchanged"
            )
        yield


def unpublished(schema: str) -> str:
    return f"{schema}{SUFFIX}"


def published_name(asset: str) -> str:
    """`marts__unpublished/fct_x` -> `marts/fct_x`: a model as readers find it once published."""
    schema, slash, name = asset.partition("/")
    return (schema.removesuffix(SUFFIX) + slash + name) if schema.endswith(SUFFIX) else asset


def _schemas(cur) -> set[str]:
    cur.execute("select nspname from pg_namespace")
    return {row[0] for row in cur.fetchall()}


def last_build(warehouse: PostgresWarehouse) -> BuildRow:
    """The fingerprint and as-of date of the build the next one continues: the unpublished
    `dim_build`, else the published one (before the second build), else None."""
    with (
        one_line(warehouse, "cannot read dim_build"),
        connect(warehouse) as con,
        con,
        con.cursor() as cur,
    ):
        return _dim_build(cur, unpublished("marts")) or _dim_build(cur, "marts")


def _dim_build(cur, schema: str) -> BuildRow:
    cur.execute("select to_regclass(%s)", [f'"{schema}".dim_build'])
    if cur.fetchone()[0] is None:
        return None
    cur.execute(f'select build_fingerprint, as_of_date from "{schema}".dim_build')
    return cur.fetchone()


def prepare(warehouse: PostgresWarehouse, continues: Callable[[BuildRow], bool]) -> int:
    """Copy the published model tables (and the tested marks: `SWAPPED`) into unpublished
    schemas that do not exist yet (one transaction, each copy analyzed for the planner), when
    `continues(published dim_build)` says the build will continue that build incrementally;
    the number of tables copied (0 when the unpublished schemas exist, nothing is published
    yet, or the build recomputes everything). Views are not copied: `dbt run` creates every
    view again. Any unpublished twin found without the unpublished models (e.g. the marks of a
    build stopped before dbt made its schemas) is replaced by the copy."""
    with (
        one_line(warehouse, "cannot copy the published build"),
        connect(warehouse) as con,
        con,
        con.cursor() as cur,
    ):
        return _copy(cur, continues)


def _copy(cur, continues: Callable[[BuildRow], bool]) -> int:
    schemas = _schemas(cur)
    if unpublished("marts") in schemas or "marts" not in schemas:
        return 0
    if not continues(_dim_build(cur, "marts")):
        return 0
    cur.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_type = 'BASE TABLE' and table_schema = any(%s)"
        " order by table_schema, table_name",
        (list(SWAPPED),),
    )
    tables = cur.fetchall()
    for schema in sorted({unpublished(s) for s in SWAPPED} & schemas):
        # a twin without the unpublished models (e.g. the marks tested_marks.for_build
        # created for a build stopped before dbt made its schemas) describes no model rows
        cur.execute(f'drop schema "{schema}" cascade')
    for schema in {unpublished(s) for s in SWAPPED}:
        cur.execute(f'create schema "{schema}"')
    for schema, name in tables:
        copy = f'"{unpublished(schema)}"."{name}"'
        cur.execute(f'create table {copy} (like "{schema}"."{name}" including all)')
        cur.execute(f'insert into {copy} select * from "{schema}"."{name}"')
        cur.execute(f"analyze {copy}")
    return len(tables)


def publish(warehouse: PostgresWarehouse) -> None:
    """Swap every published schema with its unpublished twin, in one transaction (a schema not
    built, e.g. `test_failures` before any test stored failures, is left as it is; every build
    has its `build_state`: `data_quality.tested_marks.for_build` creates it)."""
    doing = "cannot publish (the published build is unchanged)"
    with one_line(warehouse, doing), connect(warehouse) as con, con, con.cursor() as cur:
        schemas = _schemas(cur)
        for schema in SWAPPED:
            if unpublished(schema) not in schemas:
                continue
            retiring = f"{schema}__retiring"
            if schema in schemas:
                cur.execute(f'alter schema "{schema}" rename to "{retiring}"')
            cur.execute(f'alter schema "{unpublished(schema)}" rename to "{schema}"')
            if schema in schemas:
                cur.execute(f'alter schema "{retiring}" rename to "{unpublished(schema)}"')
