"""Atomic publication on a PostgreSQL warehouse: dbt builds unpublished schemas, one
transaction renames them over the published ones.

The schemas readers query (`staging`, `intermediate`, `marts`, and `test_failures`, the views
of the data tests' failing rows) are the last published build. dbt writes their unpublished
twins, `<schema>__unpublished` (the `schema_suffix` var, `macros/generate_schema_name.sql`):

1. before dbt, when the unpublished schemas do not exist but published ones do (the first
   build after the first one, or a warehouse published by an earlier version), the published
   schemas' tables are copied into them in one transaction (`prepare`), so the incremental
   models continue the published build instead of rebuilding it all; otherwise the unpublished
   schemas hold the build before the last one (or a rejected one), and the incremental models
   continue it: the raw layer is shared and append-only, so every row loaded since that
   build's own `marts.dim_build` is new to it;
2. dbt runs its models and data tests there (readers see none of it);
3. when no check blocks, one transaction swaps every schema with its unpublished twin
   (`publish`): a query that started before reads the old build to its end, the next one
   reads the new build; the previous build becomes the unpublished one the next build
   continues. When a check blocks, nothing is renamed: readers keep the last good build and
   the rejected one stays unpublished until the next build continues it.

PostgreSQL's DDL is transactional, so a build stopped at any point leaves the published
schemas whole.
"""

from __future__ import annotations

from amicable.warehouse_ref import PostgresWarehouse
from ingestion.pg_warehouse import connect

PUBLISHED = ("staging", "intermediate", "marts", "test_failures")
SUFFIX = "__unpublished"


def unpublished(schema: str) -> str:
    return f"{schema}{SUFFIX}"


def published_name(asset: str) -> str:
    """`marts__unpublished/fct_x` -> `marts/fct_x`: a model as readers find it once published."""
    schema, slash, name = asset.partition("/")
    return (schema.removesuffix(SUFFIX) + slash + name) if schema.endswith(SUFFIX) else asset


def _schemas(cur) -> set[str]:
    cur.execute("select nspname from pg_namespace")
    return {row[0] for row in cur.fetchall()}


def prepare(warehouse: PostgresWarehouse) -> int:
    """Copy the published model tables into unpublished schemas that do not exist yet (one
    transaction, each copy analyzed for the planner); the number of tables copied (0 when the
    unpublished schemas exist, or nothing is published yet). Views are not copied: `dbt run`
    creates every view again."""
    with connect(warehouse) as con, con, con.cursor() as cur:
        schemas = _schemas(cur)
        if unpublished("marts") in schemas or "marts" not in schemas:
            return 0
        cur.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_type = 'BASE TABLE' and table_schema = any(%s)"
            " order by table_schema, table_name",
            (list(PUBLISHED),),
        )
        tables = cur.fetchall()
        for schema in {unpublished(s) for s in PUBLISHED} - schemas:
            cur.execute(f'create schema "{schema}"')
        for schema, name in tables:
            copy = f'"{unpublished(schema)}"."{name}"'
            cur.execute(f'create table {copy} (like "{schema}"."{name}" including all)')
            cur.execute(f'insert into {copy} select * from "{schema}"."{name}"')
            cur.execute(f"analyze {copy}")
        return len(tables)


def publish(warehouse: PostgresWarehouse) -> None:
    """Swap every published schema with its unpublished twin, in one transaction (a schema not
    built, e.g. `test_failures` before any test stored failures, is left as it is)."""
    with connect(warehouse) as con, con, con.cursor() as cur:
        schemas = _schemas(cur)
        for schema in PUBLISHED:
            if unpublished(schema) not in schemas:
                continue
            retiring = f"{schema}__retiring"
            if schema in schemas:
                cur.execute(f'alter schema "{schema}" rename to "{retiring}"')
            cur.execute(f'alter schema "{unpublished(schema)}" rename to "{schema}"')
            if schema in schemas:
                cur.execute(f'alter schema "{retiring}" rename to "{unpublished(schema)}"')
