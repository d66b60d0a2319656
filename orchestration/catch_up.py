"""Bring the slot a build is about to write up to the published slot's history.

A warehouse's builds alternate between two slot files (`orchestration.publish`), so the slot a
build writes holds the build before the last one (or a build that was not published). The
models need nothing from the other slot: ingestion loads the files the slot has not seen and
dbt brings the models up to date. But the `raw`, `quality`, `alerts` and `scores` schemas are the
warehouse's history, appended to by every build and never rewritten: load records, raw rows,
quarantine, check results, freshness, the alerts sent (`amicable.alerts`), the case-score
models and the scores of each build (`amicable.scores`). Without this step
each slot would hold only its own builds, the data health page would show every other build,
and "since the previous load" checks would compare two builds back.

So before a build writes its slot, every table of those schemas takes the published slot's rows
of the builds it lacks: the rows whose `_batch_id` (raw) or `run_id` (quality, alerts), the
build (or alerts run) that appended them, the slot does not hold. Rows keep their batch ids and
load times, so ingestion then sees the published builds' files as loaded (a slot always holds
every build the published one holds), incremental models take them as loaded after their last
build, and doing this twice copies nothing the second time. One transaction: a build killed
midway leaves the slot as it was.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMAS = ("raw", "quality", "alerts", "scores")
BUILD_COLUMNS = ("_batch_id", "run_id")  # the column naming the build that appended a row
PUBLISHED = "amicable_published"  # the alias the published slot is attached under


class CatchUpFailed(Exception):
    """A history table of the published slot cannot be copied into the slot to write."""


def catch_up(slot: Path, published: Path | None) -> dict[str, int]:
    """Append to `slot`'s history tables (SCHEMAS) the published slot's rows of the builds it
    lacks; returns the rows copied per table (tables with none left out). Nothing to do
    before the first publication (`published` None)."""
    if published is None or published == slot:
        return {}
    try:
        return _catch_up(slot, published)
    except duckdb.Error as exc:
        raise CatchUpFailed(
            f"cannot carry the published build's history from {published} into {slot}: "
            f"{str(exc).splitlines()[0]}; the published warehouse is unchanged"
        ) from None


def _catch_up(slot: Path, published: Path) -> dict[str, int]:
    copied: dict[str, int] = {}
    with duckdb.connect(str(slot)) as con:
        quoted = str(published).replace("'", "''")
        con.execute(f"attach '{quoted}' as {PUBLISHED} (read_only)")
        own = con.execute("select current_database()").fetchone()[0]
        con.execute("begin transaction")
        for schema, table, build_column in _history_tables(con):
            rows = _copy(con, own, schema, table, build_column)
            if rows:
                copied[f"{schema}.{table}"] = rows
        con.execute("commit")
    return copied


def _history_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, build column) of each history table of the published slot."""
    found = con.execute(
        f"""
        select schema_name, table_name, list(column_name) as columns
        from duckdb_columns()
        where database_name = '{PUBLISHED}' and schema_name in {SCHEMAS}
        group by schema_name, table_name
        order by schema_name, table_name
        """
    ).fetchall()
    tables = []
    for schema, table, columns in found:
        build_column = next((c for c in BUILD_COLUMNS if c in columns), None)
        if build_column is None:
            raise CatchUpFailed(
                f"{schema}.{table} of the published warehouse has none of the columns "
                f"{', '.join(BUILD_COLUMNS)} naming the build that appended a row, so it "
                "cannot be carried into the next build's slot"
            )
        tables.append((schema, table, build_column))
    return tables


def _copy(
    con: duckdb.DuckDBPyConnection, own: str, schema: str, table: str, build_column: str
) -> int:
    source = f'{PUBLISHED}."{schema}"."{table}"'
    target = f'"{own}"."{schema}"."{table}"'
    con.execute(f'create schema if not exists "{own}"."{schema}"')
    exists = con.execute(
        "select count(*) from duckdb_tables()"
        " where database_name = ? and schema_name = ? and table_name = ?",
        [own, schema, table],
    ).fetchone()[0]
    if not exists:
        return con.execute(f"create table {target} as select * from {source}").fetchone()[0]
    return con.execute(
        f"""
        insert into {target} by name
        select * from {source}
        where {build_column} in (
            select {build_column} from {source}
            except
            select {build_column} from {target}
        )
        """
    ).fetchone()[0]
