"""The query layer's PostgreSQL side without a server (issue 16): a warehouse reference tells a
URL from a file, masks the password in messages; every statement of `dashboards/sql/`
translates, with positional parameters, literal `%` doubled, and the constructs sqlglot leaves
in DuckDB's terms rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from amicable.warehouse_ref import PostgresWarehouse, location, warehouse_ref
from dashboards import queries
from dashboards.postgres import postgres_sql
from tests.postgres.conftest import free_port


def test_a_url_is_a_postgres_warehouse_and_anything_else_a_file() -> None:
    url = "postgresql://ann:s3cret@db.example:5433/amicable"
    found = warehouse_ref(url)
    assert found == PostgresWarehouse(url)
    assert str(found) == "postgresql://ann:***@db.example:5433/amicable"
    assert location(found) == url
    assert warehouse_ref("postgres://ann@db/amicable") == PostgresWarehouse(
        "postgres://ann@db/amicable"
    )
    assert warehouse_ref("data/warehouse.duckdb") == Path("data/warehouse.duckdb")
    assert warehouse_ref(" ~/w.duckdb ") == Path("~/w.duckdb").expanduser()


def test_every_statement_translates_with_as_many_parameters() -> None:
    for path in sorted(queries.SQL_DIR.glob("*.sql")):
        text = queries.sql_text(path.stem)
        parameters = len(list(sqlglot.parse_one(text, read="duckdb").find_all(exp.Placeholder)))
        translated = postgres_sql(text)
        assert translated.replace("%%", "").count("%s") == parameters, path.name
        assert "duckdb_" not in translated.lower(), path.name


def test_parameters_percent_round_and_arg_max() -> None:
    translated = postgres_sql(
        "select round(a / b, 2) as r, arg_max(team, day) as t from x "
        "where name like 'A%' and strftime(day, '%Y-%m') = ? limit ?"
    )
    assert translated == (
        "SELECT ROUND(CAST(CAST(a AS DOUBLE PRECISION) / b AS DECIMAL), 2) AS r, "
        "(ARRAY_AGG(team ORDER BY day DESC) FILTER(WHERE day IS NOT NULL))[1] AS t FROM x "
        "WHERE name LIKE 'A%%' AND TO_CHAR(day, 'YYYY-MM') = %s LIMIT %s"
    )


def test_a_server_that_is_down_is_one_typed_line_without_the_password() -> None:
    down = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/amicable"
    with pytest.raises(queries.WarehouseUnreachable) as raised:
        queries.snapshot_dates(down)
    assert "Connection refused" in raised.value.detail and "\n" not in raised.value.detail
    assert "s3cret" not in str(raised.value.warehouse) and "s3cret" not in raised.value.detail
