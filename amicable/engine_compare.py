"""Equal figures on every engine (issue 16): one sample built on each engine, every staging,
intermediate and mart table compared row for row with the reference engine's (DuckDB).

An engine (`Engine`) is a name, a build function (the sample's landing zone -> built, through
the code path `amicable build` uses on it) and a way to read its built tables (`Reader`: the
model tables with their columns, a table's rows). The engines themselves are in
`orchestration.engines`; this module times their builds and compares what they built.

Two tables are equal when they hold the same rows as a multiset over every column but the
build-lineage ones (`BUILD_COLUMNS`: when or by which run a row was built): numbers (decimals,
doubles, integers) agree to within half a cent, `TOLERANCE` (amounts to the cent, days and
rates to 0.01), timestamps compare without their time zone, dates and times as ISO texts, JSON
texts with their keys sorted, anything else exactly.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

MODEL_SCHEMAS = ("staging", "intermediate", "marts")
# Columns that say when or by which run a row was built, not what it says.
BUILD_COLUMNS = frozenset(
    {
        "_loaded_at",
        "loaded_at",
        "_batch_id",
        "run_id",
        "dbt_invocation_id",
        "built_at",
        "full_refresh_reason",
    }
)
TOLERANCE = decimal.Decimal("0.005")  # numbers agree to the cent / to 0.01
_CENTS = decimal.Decimal("0.01")
_PAIRED_AT_MOST = 2000  # leftover rows matched one by one within TOLERANCE, beyond: different
_SHOWN_COLUMNS = 4


class Reader(Protocol):
    """What an engine built, read back."""

    def tables(self) -> dict[str, tuple[str, ...]]:
        """`schema.table` -> its columns in order, for every base table of MODEL_SCHEMAS."""

    def read(self, table: str, columns: Sequence[str]) -> list[tuple]:
        """The rows of `table` (`schema.table`), `columns` in that order, as Python values."""


@dataclass(frozen=True)
class Sample:
    """What every engine builds: a landing zone at an as-of date, with a configuration."""

    landing: Path
    as_of: datetime.date
    config: Path


@dataclass(frozen=True)
class Engine:
    name: str
    where: str  # the warehouse, as printed (a PostgreSQL URL masked)
    build: Callable[[Sample], tuple[bool, str]]  # -> (built and checked, the build's report)
    open: Callable[[], AbstractContextManager[Reader]]


@dataclass(frozen=True)
class Built:
    """One engine's build of the sample: whether it passed, its report, what it took (CPU:
    this process and the processes it waited for, e.g. dbt; not a database server's own)."""

    engine: Engine
    ok: bool
    report: str
    wall_seconds: float
    cpu_seconds: float


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def build(engine: Engine, sample: Sample) -> Built:
    """Build `sample` on `engine`, timed."""
    wall, cpu = time.perf_counter(), _cpu()
    ok, report = engine.build(sample)
    return Built(engine, ok, report, time.perf_counter() - wall, _cpu() - cpu)


class SqlReader:
    """A Reader over a DB-API cursor (DuckDB's connection, psycopg2's cursor); `mark`: the
    driver's parameter placeholder."""

    def __init__(self, cursor: Any, mark: str) -> None:
        self.cursor, self.mark = cursor, mark

    def tables(self) -> dict[str, tuple[str, ...]]:
        marks = ", ".join(self.mark for _ in MODEL_SCHEMAS)
        self.cursor.execute(
            "select c.table_schema, c.table_name, c.column_name"
            " from information_schema.columns as c"
            " inner join information_schema.tables as t"
            " on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema"
            " and c.table_name = t.table_name"
            f" where t.table_type = 'BASE TABLE' and c.table_schema in ({marks})"
            " order by c.table_schema, c.table_name, c.ordinal_position",
            list(MODEL_SCHEMAS),
        )
        found: dict[str, tuple[str, ...]] = {}
        for schema, table, column in self.cursor.fetchall():
            name = f"{schema}.{table}"
            found[name] = (*found.get(name, ()), column)
        return found

    def read(self, table: str, columns: Sequence[str]) -> list[tuple]:
        schema, _, name = table.partition(".")
        listed = ", ".join(f'"{c}"' for c in columns)
        self.cursor.execute(f'select {listed} from "{schema}"."{name}"')
        return self.cursor.fetchall()


def comparable(value: Any) -> Any:
    """`value` as every engine's driver should agree on it: a number as a Decimal (rounded to
    the cent where it is compared as a key), a timestamp without its time zone, dates and
    times as ISO texts, a JSON text with its keys sorted."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if value != value else decimal.Decimal(repr(value))  # NaN as itself
    if isinstance(value, int | decimal.Decimal):
        return decimal.Decimal(value)
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(value), sort_keys=True)
    return value


def _key(row: tuple) -> tuple:
    """A row's multiset key: its numbers rounded to the cent."""
    return tuple(
        v.quantize(_CENTS, decimal.ROUND_HALF_EVEN) + 0 if isinstance(v, decimal.Decimal) else v
        for v in row
    )


def _agree(left: Any, right: Any) -> bool:
    if isinstance(left, decimal.Decimal) and isinstance(right, decimal.Decimal):
        return abs(left - right) <= TOLERANCE
    return left == right


@dataclass
class TableResult:
    table: str
    equal: bool
    rows: dict[str, int] = field(default_factory=dict)  # engine -> its rows
    difference: str = ""  # what differs, with the first differing row


def compare_table(
    table: str, names: tuple[str, str], columns: Sequence[str], rows: tuple[list, list]
) -> TableResult:
    """Compare one table's rows on two engines (`names`: reference first)."""
    left, right = ([tuple(map(comparable, r)) for r in side] for side in rows)
    counts = {names[0]: len(left), names[1]: len(right)}
    by_left, by_right = Counter(map(_key, left)), Counter(map(_key, right))
    only_left = [r for r in left if _take(by_right, _key(r))]
    only_right = [r for r in right if _take(by_left, _key(r))]
    if len(only_left) + len(only_right) <= _PAIRED_AT_MOST:  # a rounding edge: within TOLERANCE?
        for row in list(only_left):
            match = next((o for o in only_right if all(map(_agree, row, o))), None)
            if match is not None:
                only_left.remove(row)
                only_right.remove(match)
    if not only_left and not only_right:
        return TableResult(table, True, counts)
    difference = _first_difference(names, columns, only_left, only_right)
    return TableResult(table, False, counts, difference)


def _take(counter: Counter, key: tuple) -> bool:
    """Whether `key` is not (any more) in `counter`; takes one of it when it is."""
    if counter[key] > 0:
        counter[key] -= 1
        return False
    return True


def _named(columns: Sequence[str], row: tuple, only: Sequence[int] | None = None) -> str:
    """`invoice_id=INV-9, snapshot_date=2026-11-20`: a row by its id and date columns (else its
    first columns), or by the columns `only`."""
    if only is None:
        only = [i for i, c in enumerate(columns) if c.endswith(("_id", "_date"))]
        only = only[:_SHOWN_COLUMNS] or list(range(min(len(columns), _SHOWN_COLUMNS)))
    return ", ".join(f"{columns[i]}={row[i]}" for i in only)


def _first_difference(
    names: tuple[str, str], columns: Sequence[str], only_left: list, only_right: list
) -> str:
    counts = f"{len(only_left)} row(s) only on {names[0]}, {len(only_right)} only on {names[1]}"
    side, row, others, other_name = (
        (names[0], only_left[0], only_right, names[1])
        if only_left
        else (names[1], only_right[0], only_left, names[0])
    )
    row = min([row, *(only_left if side == names[0] else only_right)], key=repr)
    if not others:
        return f"{counts}; first: {side} has ({_named(columns, row)}), {other_name} no such row"
    closest = max(others, key=lambda o: sum(map(_agree, row, o)))
    differing = [i for i, (a, b) in enumerate(zip(row, closest, strict=True)) if not _agree(a, b)]
    return (
        f"{counts}; first: ({_named(columns, row)}): {side} has "
        f"{_named(columns, row, differing[:_SHOWN_COLUMNS])}, {other_name} has "
        f"{_named(columns, closest, differing[:_SHOWN_COLUMNS])}"
    )


def compare(reference: Engine, other: Engine) -> list[TableResult]:
    """Every model table of `reference` and `other`, compared (a table or a column on one engine
    only is a difference), in the order of their names."""
    names = (reference.name, other.name)
    results = []
    with reference.open() as first, other.open() as second:
        tables = (first.tables(), second.tables())
        for table in sorted(set(tables[0]) | set(tables[1])):
            missing = [n for n, t in zip(names, tables, strict=True) if table not in t]
            if missing:
                absent = f"no such table on {missing[0]}"
                results.append(TableResult(table, False, difference=absent))
                continue
            columns = [c for c in tables[0][table] if c not in BUILD_COLUMNS]
            others = {c for c in tables[1][table] if c not in BUILD_COLUMNS}
            if set(columns) != others:
                only = sorted(set(columns) ^ others)
                results.append(TableResult(table, False, difference=f"columns differ: {only}"))
                continue
            rows = (first.read(table, columns), second.read(table, columns))
            results.append(compare_table(table, names, columns, rows))
    return results


def report(builds: Sequence[Built], compared: dict[str, list[TableResult]]) -> list[str]:
    """The lines `amicable compare-engines` prints: per engine its build and what it took, then
    per other engine every table equal or different (the first differing row named)."""
    lines = ["engine       build     wall s    CPU s  warehouse"]
    for done in builds:
        status = "ok" if done.ok else "FAILED"
        lines.append(
            f"{done.engine.name:<12} {status:<7} {done.wall_seconds:8.1f} {done.cpu_seconds:8.1f}"
            f"  {done.engine.where}"
        )
    lines.append(
        "(CPU: this process and the processes it waited for, e.g. dbt; not a database server's"
        " own, nor Spark's JVM, which pyspark starts inside dbt and does not wait for:"
        " benchmarks/spark_build.py measures the whole process tree)"
    )
    for done in builds:
        if not done.ok:
            lines += ["", f"{done.engine.name} build FAILED:", done.report]
    reference = builds[0].engine.name
    for name, results in compared.items():
        equal = sum(r.equal for r in results)
        lines += ["", f"{name} against {reference}: {equal} of {len(results)} tables equal"]
        for result in results:
            rows = "/".join(str(result.rows[n]) for n in (reference, name)) if result.rows else "-"
            verdict = "equal" if result.equal else f"DIFFERENT: {result.difference}"
            lines.append(f"  {result.table} ({rows} rows): {verdict}")
    return lines


def all_equal(builds: Sequence[Built], compared: dict[str, list[TableResult]]) -> bool:
    return all(b.ok for b in builds) and all(
        r.equal for results in compared.values() for r in results
    )


@contextlib.contextmanager
def duckdb_reader(warehouse: Path) -> Iterator[Reader]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield SqlReader(con, "?")
