"""The engine comparison (`amicable.engine_compare`, issue 16) on hand-made warehouses: numbers
agree to the cent whatever their type, build lineage and row order do not count, a one-cent
difference, a missing row, table or column is a difference naming the first differing row;
`amicable compare-engines` refuses bad usage and an unreachable server in one line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from amicable.cli import main
from amicable.engine_compare import Built, Engine, all_equal, compare, duckdb_reader, report


def warehouse(path: Path, *statements: str) -> Engine:
    """A DuckDB file with schemas staging and marts and the tables `statements` make."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging; create schema marts")
        for statement in statements:
            con.execute(statement)
    return Engine(path.stem, str(path), lambda sample: (True, ""), lambda: duckdb_reader(path))


INVOICES = (
    "create table marts.fct_invoices (invoice_id varchar, due_date date, amount decimal(18, 2),"
    " rate double, days integer, built_at timestamp)"
)


def test_numbers_agree_to_the_cent_in_any_order_build_lineage_left_out(tmp_path: Path) -> None:
    first = warehouse(
        tmp_path / "first.duckdb",
        INVOICES,
        "insert into marts.fct_invoices values ('INV-1', '2026-11-20', 10.00, 0.115, 3,"
        " '2026-12-01 10:00'), ('INV-2', '2026-11-21', 20.00, 0.125, 4, '2026-12-01 10:00')",
        "create table staging.stg_x (x_id varchar, payload varchar)",
        """insert into staging.stg_x values ('X1', '{"a": 1, "b": 2}')""",
    )
    second = warehouse(
        tmp_path / "second.duckdb",
        # doubles where the first has decimals, another column order, another build time;
        # 0.1149 rounds to another cent than 0.115 but agrees with it to the cent
        "create table marts.fct_invoices (invoice_id varchar, built_at timestamp, due_date date,"
        " amount double, rate double, days bigint)",
        "insert into marts.fct_invoices values ('INV-2', '2026-12-02 11:00', '2026-11-21',"
        " 20.004, 0.12499999, 4), ('INV-1', '2026-12-02 11:00', '2026-11-20', 9.996, 0.1149, 3)",
        "create table staging.stg_x (x_id varchar, payload varchar)",
        """insert into staging.stg_x values ('X1', '{"b": 2, "a": 1}')""",
    )
    results = compare(first, second)
    assert [(r.table, r.equal, r.rows) for r in results] == [
        ("marts.fct_invoices", True, {"first": 2, "second": 2}),
        ("staging.stg_x", True, {"first": 1, "second": 1}),
    ]


def test_a_cent_a_row_a_table_or_a_column_apart_is_different(tmp_path: Path) -> None:
    rows = (
        "('INV-1', '2026-11-20', 10.00, 0.5, 3, null), ('INV-2', '2026-11-21', 20.00, 0.5, 4, null)"
    )
    first = warehouse(
        tmp_path / "duckdb.duckdb",
        INVOICES,
        f"insert into marts.fct_invoices values {rows}",
        "create table marts.dim_only_here (debtor_id varchar)",
        "create table staging.stg_x (x_id varchar, extra integer)",
    )
    second = warehouse(
        tmp_path / "postgresql.duckdb",
        INVOICES,
        "insert into marts.fct_invoices values ('INV-1', '2026-11-20', 10.01, 0.5, 3, null)",
        "create table staging.stg_x (x_id varchar)",
    )
    results = {r.table: r for r in compare(first, second)}
    assert not any(r.equal for r in results.values())
    assert results["marts.dim_only_here"].difference == "no such table on postgresql"
    assert results["staging.stg_x"].difference == "columns differ: ['extra']"
    assert results["marts.fct_invoices"].difference == (
        "2 row(s) only on duckdb, 1 only on postgresql; first: (invoice_id=INV-1, "
        "due_date=2026-11-20): duckdb has amount=10.00, postgresql has amount=10.01"
    )

    builds = [Built(first, True, "", 12.5, 20.0), Built(second, True, "", 30.0, 5.0)]
    compared = {"postgresql": list(results.values())}
    lines = report(builds, compared)
    assert lines[1].split()[:4] == ["duckdb", "ok", "12.5", "20.0"]
    assert "postgresql against duckdb: 0 of 3 tables equal" in lines
    assert "  marts.fct_invoices (2/1 rows): DIFFERENT: 2 row(s) only" in "\n".join(lines)
    assert not all_equal(builds, compared)
    assert all_equal(builds, {"postgresql": []})


def test_usage_errors_and_an_unreachable_server_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    silent = "postgresql://amicable:secret@localhost:1/amicable"
    args = ["compare-engines", "--postgres", silent, "--out", str(tmp_path)]
    assert main([*args, "--landing", str(tmp_path), "--size", "tiny"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        "amicable: error: --landing builds that landing zone: --size and --seed are for a sample"
    )

    assert main([*args, "--size", "tiny"]) == 2
    error = capsys.readouterr().err.strip()
    masked = "postgresql://amicable:***@localhost:1/amicable"
    assert error.startswith(f"amicable: error: warehouse {masked}: cannot connect: ")
    assert "\n" not in error and "secret" not in error
    assert not (tmp_path / "landing").exists()  # nothing generated before the server answers

    with pytest.raises(SystemExit) as exited:
        main(["compare-engines", "--postgres", "mysql://h/db"])
    assert exited.value.code == 2
    assert "not a DuckDB file nor a PostgreSQL URL" in capsys.readouterr().err
