"""Compare two DuckDB warehouses table by table, row for row and exactly (an incremental build
against a full one), leaving out build lineage (`amicable.engine_compare.BUILD_COLUMNS`; across
engines, numbers to the cent: `amicable.engine_compare.compare`)."""

from __future__ import annotations

import duckdb

from amicable.engine_compare import BUILD_COLUMNS, MODEL_SCHEMAS

__all__ = ["BUILD_COLUMNS", "MODEL_SCHEMAS", "differences", "tables"]


def tables(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...] = MODEL_SCHEMAS
) -> list[tuple[str, str]]:
    """(schema, table) of every base table of `schemas` in the attached `catalog`."""
    marks = ", ".join("?" for _ in schemas)
    return con.execute(
        "select table_schema, table_name from information_schema.tables"
        f" where table_catalog = ? and table_schema in ({marks})"
        " and table_type = 'BASE TABLE' order by 1, 2",
        [catalog, *schemas],
    ).fetchall()


def differences(
    con: duckdb.DuckDBPyConnection,
    first: str,
    second: str,
    schemas: tuple[str, ...] = MODEL_SCHEMAS,
    ignore: frozenset[str] = BUILD_COLUMNS,
) -> dict[str, tuple[int, int]]:
    """Per table of `schemas` that differs between the attached catalogs `first` and
    `second`: (rows only in first, rows only in second), as multisets over every column but
    `ignore`. A table missing on one side counts as (-1, -1)."""
    found: dict[str, tuple[int, int]] = {}
    first_tables, second_tables = tables(con, first, schemas), tables(con, second, schemas)
    for schema, table in sorted(set(first_tables) ^ set(second_tables)):
        found[f"{schema}.{table}"] = (-1, -1)
    for schema, table in sorted(set(first_tables) & set(second_tables)):
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_catalog = ?"
                " and table_schema = ? and table_name = ? order by ordinal_position",
                [first, schema, table],
            ).fetchall()
            if c not in ignore
        ]
        listed = ", ".join(f'"{c}"' for c in columns)
        a = f"select {listed} from {first}.{schema}.{table}"
        b = f"select {listed} from {second}.{schema}.{table}"
        only_first = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
        only_second = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
        if only_first or only_second:
            found[f"{schema}.{table}"] = (only_first, only_second)
    return found
