"""The tested marks on a PostgreSQL warehouse (`data_quality.tested_marks`,
`orchestration.pg_build.marks_for_build`, `orchestration.pg_publish`): they stay beside the
rows they describe when the new build kept none, and marks that cannot
be read stop the build before dbt, in one line (a daily build's tests could otherwise skip rows
no test has read). The marks' round trip through whole builds: test_build_on_postgres.py."""

from __future__ import annotations

import contextlib

import psycopg2
import pytest

from amicable.warehouse_ref import PostgresWarehouse, WarehouseError
from orchestration import pg_publish
from orchestration.pg_build import marks_for_build
from tests.postgres.conftest import PostgresServer, TinyOnPostgres
from tests.postgres.test_build_on_postgres import scalar, url

_MARKS = "select count(*) from {}.tested_marks"
_SCHEMA = "select count(*) from pg_namespace where nspname = '{}'"


def test_every_build_has_marks_to_swap_so_the_published_ones_follow_their_rows(
    tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer
) -> None:
    """A build whose slot held no marks (its models built without them, their store failed):
    `marks_for_build` creates its (empty) marks table, so publication swaps it with the
    published one like every schema: the published marks go with the published models to the
    unpublished side, where the next build continues those models from their own marks."""
    database = postgres_server.fresh_database("amicable_marks_twin", tiny_on_postgres.database)
    marks = scalar(database, _MARKS.format("build_state"))
    assert marks > 5, "the session's first build kept its marks"
    with contextlib.closing(psycopg2.connect(**database)) as con, con, con.cursor() as cur:
        for schema in pg_publish.PUBLISHED:  # a build of the models, with no marks of its own
            cur.execute(f'create schema "{pg_publish.unpublished(schema)}"')

    assert marks_for_build(PostgresWarehouse(url(database)), "") == {}
    assert scalar(database, _MARKS.format("build_state__unpublished")) == 0, "created"
    pg_publish.publish(PostgresWarehouse(url(database)))

    assert scalar(database, _MARKS.format("build_state__unpublished")) == marks
    assert scalar(database, _MARKS.format("build_state")) == 0, "the new build's: none"
    assert scalar(database, _SCHEMA.format("marts__unpublished")) == 1, "the models swapped"


def test_marks_left_by_a_build_stopped_before_dbt_give_way_to_the_copy_of_the_published(
    tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer
) -> None:
    """A full refresh creates its empty marks table and stops before dbt makes any schema: the
    next build, continuing the published one, copies the published marks over it (they
    describe no rows) instead of failing on the table that exists."""
    database = postgres_server.fresh_database("amicable_marks_left", tiny_on_postgres.database)
    marks = scalar(database, _MARKS.format("build_state"))
    warehouse = PostgresWarehouse(url(database))
    assert marks_for_build(warehouse, "asked for (--full-refresh)") == {}
    assert scalar(database, _MARKS.format("build_state__unpublished")) == 0, "created"
    assert scalar(database, _SCHEMA.format("marts__unpublished")) == 0, "dbt never ran"

    assert pg_publish.prepare(warehouse, lambda _published: True) > 0, "the published copied"

    assert scalar(database, _MARKS.format("build_state__unpublished")) == marks


def test_marks_that_cannot_be_read_stop_the_build_in_one_line(
    tiny_on_postgres: TinyOnPostgres, postgres_server: PostgresServer
) -> None:
    database = postgres_server.fresh_database("amicable_marks_bad", tiny_on_postgres.database)
    with contextlib.closing(psycopg2.connect(**database)) as con, con, con.cursor() as cur:
        cur.execute("create schema build_state__unpublished")
        cur.execute("create table build_state__unpublished.tested_marks (model text)")
    warehouse = PostgresWarehouse(url(database))

    with pytest.raises(WarehouseError) as raised:
        marks_for_build(warehouse, "")

    (line,) = str(raised.value).splitlines()
    assert line.startswith(f"warehouse {warehouse.masked}: cannot read and unsettle the tested")
    assert "build_state__unpublished.tested_marks (nothing was built): " in line
    assert "tested_mark" in line, "PostgreSQL's own words: the missing column"
    assert line.endswith(
        "; dropping schema build_state__unpublished makes the tests read every row"
    )
