"""Run a suite on one raw table: read the rows it has not validated yet (read-only, into
pandas), validate them with GX, and report every expectation on the whole table.

GX runs on its pandas datasource in an ephemeral context (no GX project on disk). The context,
datasource and batch definition are built once per process and reused: every validation only
passes a new dataframe as the batch parameter.

Raw tables are append-only, so a suite validates each raw batch (`_batch_id`) once and keeps
each failing row (`data_quality.validated`); each expectation is reported from every failure
kept for the table, which is what validating the whole table finds. By category (`CATEGORY`
says which each expectation type the suites use is in; any other type is refused):

- row: the verdict on a row depends on that row alone (not null, null, in set, between,
  regex, column pair A > B, with or without a row condition): only the new rows are validated.
- group: the verdict on a row depends on the rows sharing values with it
  (`expect_compound_columns_to_be_unique`, `expectations.raw_unique`: a key's versions that
  only row order separates). The new rows are validated together with every older row that
  has the same values in the expectation's columns (found by DuckDB in the whole table), so a
  duplicate of a new row and an old one is found; duplicates among old rows only were found
  and kept when the later of them was new. An expectation on the versions of a key
  (`versions_of` in its meta: the key columns; its other columns order the versions, latest
  first, nulls last, as `deduplicate_latest` does) reports a kept row only while it is among
  its key's latest versions: a later version (a corrected file) clears it (`_standing`).
- table: the verdict is on the whole table (`expect_table_row_count_to_be_between`): computed
  on the table's row count (SQL) at every run.

A new suite (its fingerprint changed) or `full=True` (`--full-refresh`) validates every row
again and starts afresh. The report is what validating the whole table gives: per
expectation its status, count of failing rows and the keys of the first MAX_SAMPLE (in load
order: load time, file, row), in the order GX reports expectations.
"""

from __future__ import annotations

import copy
import functools
import heapq
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.row_conditions import deserialize_row_condition

from dashboards.postgres import Connection
from data_quality import validated
from data_quality.results import write_with_retry
from data_quality.suites import RAW_LOCATION

MAX_SAMPLE = 20
# A full validation's rows per read (whole raw files): at `xl`, reading 5.3M calls at once took
# 6.8 GB, in runs of 500,000 rows 1.3 GB (benchmarks/results/raw_suite_memory_contacts_calls.md).
CHUNK_ROWS = 500_000
_NO_VALUE, _UNIT_SEPARATOR = "<none>", "\x1f"  # in `_unit`: a missing batch or file, between
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_COLUMN_ARGS = ("column", "column_A", "column_B")
# Read with every raw row besides what the suite checks: what a kept failure records.
_BOOKKEEPING = ["_batch_id", "_loaded_at", *RAW_LOCATION]
_NEW = "__new_row"  # frame column: the row is in a batch this validation is for
_RUN, _GROUP = "__run", "__group"  # `_shared_rows`: a row's run, its set of equal values

ROW, GROUP, TABLE = "row", "group", "table"
CATEGORY: dict[str, str] = {
    "expect_column_values_to_not_be_null": ROW,
    "expect_column_values_to_be_null": ROW,
    "expect_column_values_to_be_in_set": ROW,
    "expect_column_values_to_be_between": ROW,
    "expect_column_values_to_match_regex": ROW,
    "expect_column_pair_values_a_to_be_greater_than_b": ROW,
    "expect_compound_columns_to_be_unique": GROUP,
    "expect_table_row_count_to_be_between": TABLE,
}


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str  # e.g. "expect_column_values_to_not_be_null(invoice_id)"
    blocking: bool
    reason: str
    success: bool
    unexpected_count: int | None  # None for table-level expectations (row count)
    failing_keys: tuple[str, ...]  # up to MAX_SAMPLE, e.g. "INV-9 (invoices_1.csv:3)"
    error: str | None = None  # the expectation itself raised (missing column...)


@dataclass(frozen=True)
class SuiteOutcome:
    table: str
    success: bool
    row_count: int  # rows of the whole table
    results: tuple[ExpectationOutcome, ...]
    read_seconds: float
    validate_seconds: float
    rows_read: int = 0  # raw rows read into pandas: the new ones, and old ones sharing a key
    validation: validated.Validation | None = field(default=None, repr=False, compare=False)

    @property
    def blocking_failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(r for r in self.results if r.blocking and not r.success)

    @property
    def warning_failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(r for r in self.results if not r.blocking and not r.success)

    def store(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        """Append what this validation found (`validated`) over a read-write connection, so
        the next one skips these rows; nothing when it read no new row or an expectation
        raised (the rows are validated again next time)."""
        if self.validation is not None:
            self.validation.store(con, run_id)


@functools.cache
def _batch_definition() -> BatchDefinition:
    """The process-wide GX pandas batch definition (context setup paid once)."""
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("amicable_data_quality")
    asset = source.add_dataframe_asset("table")
    return asset.add_batch_definition_whole_dataframe("whole_table")


def _condition_columns(condition: Any) -> list[str]:
    if condition is None:
        return []
    if hasattr(condition, "conditions"):
        return [c for sub in condition.conditions for c in _condition_columns(sub)]
    column = getattr(condition, "column", None)
    return [column.name] if column is not None else []


def _expectation_columns(config: ExpectationConfiguration) -> list[str]:
    kwargs = config.kwargs
    columns = [kwargs[a] for a in _COLUMN_ARGS if kwargs.get(a)]
    columns += list(kwargs.get("column_list") or [])
    return columns


def suite_columns(suite: gx.ExpectationSuite) -> list[str]:
    """Columns a suite reads: its id columns, then every column its expectations name."""
    columns: list[str] = list(suite.meta.get("id_columns", []))
    for expectation in suite.expectations:
        columns += _expectation_columns(expectation.configuration)
        columns += _condition_columns(getattr(expectation, "row_condition", None))
    return list(dict.fromkeys(columns))


def category(config: ExpectationConfiguration) -> str:
    """ROW, GROUP or TABLE (see the module's docstring); raises for a type not in CATEGORY
    or a `mostly` below 1 (its verdict would depend on the share of the whole table)."""
    if config.type not in CATEGORY:
        raise ValueError(
            f"{config.type}: say in data_quality.runner.CATEGORY whether it is row-, group- or"
            " table-level before a raw suite uses it"
        )
    if (config.kwargs.get("mostly") or 1) < 1:
        raise ValueError(f"{config.type}: `mostly` below 1 cannot be validated incrementally")
    return CATEGORY[config.type]


def _check_columns(con: duckdb.DuckDBPyConnection, table: str, wanted: Iterable[str]) -> None:
    if not _TABLE.match(table):
        raise ValueError(f"table must be 'schema.name' in lower case, got {table!r}")
    schema, name = table.split(".")
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    if not existing:
        raise LookupError(f"table {table} does not exist in the warehouse")
    missing = [c for c in wanted if c not in existing]
    if missing:
        raise LookupError(f"table {table} lacks column(s) {', '.join(missing)} the suite checks")


def _quoted(columns: Iterable[str], alias: str = "") -> str:
    return ", ".join(f'{alias}"{c}"' for c in columns)


def _unit(alias: str = "") -> str:
    """SQL of a row's unit of a full validation's runs: its raw batch and file (`_units`)."""
    return (
        f"coalesce({alias}_batch_id, '{_NO_VALUE}') || '{_UNIT_SEPARATOR}'"
        f" || coalesce({alias}_source_file, '{_NO_VALUE}')"
    )


def _read_rows(
    con: Connection, table: str, columns: list[str], batches: list[str | None], shared: list[str]
) -> pd.DataFrame:
    """The rows of `batches`, then, when `shared` names columns, every other row with the
    values of `shared` of one of them (decimals arrive as float64)."""

    def new(alias: str) -> str:
        return (
            f"(case when {alias}_batch_id is null then $batches_null"
            f" else list_contains(cast($batches as varchar[]), {alias}_batch_id) end)"
        )

    sql = f"select {_quoted(columns)}, true as {_NEW} from {table} where {new('')}"
    params = {"batches": [b for b in batches if b is not None], "batches_null": None in batches}
    if shared:
        on = " and ".join(f'o."{c}" is not distinct from n."{c}"' for c in shared)
        sql += (
            f" union all select {_quoted(columns, 'o.')}, false from {table} as o"
            f" semi join (select distinct {_quoted(shared)} from {table} where {new('')}) as n"
            f" on {on} where not {new('o.')}"
        )
    return con.execute(sql, params).df()


@dataclass(frozen=True)
class _Run:
    """A run of a full validation: whole units (`_unit`: raw batch and file), read together;
    on DuckDB also the range of their rowids (files are appended whole, so the scan skips the
    table's other row groups; the units themselves still decide)."""

    units: list[str]
    rowids: tuple[int, int] | None = None


def _units(con: Connection, table: str) -> list[_Run]:
    """Every raw batch and file of `table` (`_unit`) in load order, in runs of about
    CHUNK_ROWS rows (a file is never split; a first build loads every file in one batch): a
    full validation reads one run at a time, so its memory does not grow with the table."""
    rowids = isinstance(con, duckdb.DuckDBPyConnection)
    sizes = con.execute(
        f"select {_unit()}, count(*), {'min(rowid), max(rowid)' if rowids else 'null, null'}"
        f" from {table} group by 1"
        f" order by min(_loaded_at) nulls first, ({_unit()}){validated.code_points(con)}"
    ).fetchall()
    chunks: list[list[tuple[str, int | None, int | None]]] = [[]]
    rows = 0
    for unit, count, first, last in sizes:
        if chunks[-1] and rows + count > CHUNK_ROWS:
            chunks.append([])
            rows = 0
        chunks[-1].append((unit, first, last))
        rows += count
    return [
        _Run(
            units=[unit for unit, _, _ in chunk],
            rowids=(min(f for _, f, _ in chunk), max(t for _, _, t in chunk)) if rowids else None,
        )
        for chunk in chunks
        if chunk
    ]


def _read_run(con: Connection, table: str, columns: list[str], run: _Run) -> pd.DataFrame:
    """The rows of a full validation's run, as new rows."""
    where = f"list_contains(cast($units as varchar[]), {_unit()})"
    params: dict[str, Any] = {"units": run.units}
    if run.rowids is not None:
        where = f"rowid between $first and $last and {where}"
        params |= {"first": run.rowids[0], "last": run.rowids[1]}
    return con.execute(
        f"select {_quoted(columns)}, true as {_NEW} from {table} where {where}", params
    ).df()


def _shared_rows(
    con: Connection, table: str, columns: list[str], shared: list[str], runs: list[_Run]
) -> pd.DataFrame:
    """For a full validation: every row whose values of `shared` another row has too (the
    only rows a run can read as old rows), as old rows, with their run's number (`_RUN`) and
    a number per set of equal values (`_GROUP`); read once for all runs. They are few: the
    group-level expectations' columns hold the key and the extraction and load times, so
    only a key twice in one file, or in files of the same extraction time loaded by the same
    build, shares them (no row of `xl`'s raw tables)."""
    if not shared:
        return pd.DataFrame(columns=[*columns, _NEW, _RUN, _GROUP])
    on = " and ".join(f'r."{c}" is not distinct from g."{c}"' for c in shared)
    frame = con.execute(
        f"""
        with groups as (
            select {_quoted(shared)}, row_number() over () as {_GROUP}
            from {table} group by {_quoted(shared)} having count(*) > 1
        )
        select {_quoted(columns, "r.")}, false as {_NEW}, {_unit("r.")} as {_RUN}, g.{_GROUP}
        from {table} as r join groups as g on {on}
        """
    ).df()
    run_of = {unit: n for n, run in enumerate(runs) for unit in run.units}
    frame[_RUN] = frame[_RUN].map(run_of)
    return frame


def _frames(
    con: Connection, table: str, columns: list[str], shared: list[str], batches: list | None
) -> Iterator[pd.DataFrame]:
    """What a validation reads, one frame after another: the rows of `batches` with the older
    rows that share their values (`_read_rows`); with `batches` None (a full validation), a run
    of whole files at a time (`_units`), each with the earlier runs' rows that share its values
    as old rows: what validating the batches one build after another finds, which is what
    validating every row at once finds (`_kept`)."""
    if batches is not None:
        if batches:
            yield _read_rows(con, table, columns, batches, shared)
        return
    runs = _units(con, table)
    shared_rows = _shared_rows(con, table, columns, shared, runs)
    for n, run in enumerate(runs):
        groups = shared_rows.loc[shared_rows[_RUN] == n, _GROUP]
        old = shared_rows[(shared_rows[_RUN] < n) & shared_rows[_GROUP].isin(groups)]
        new = _read_run(con, table, columns, run)
        yield (
            new
            if old.empty
            else pd.concat([new, old.drop(columns=[_RUN, _GROUP])], ignore_index=True)
        )


def _fmt(value: Any) -> str:
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return "<null>"
    if isinstance(value, datetime) and value.time() == dt_time(0):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def format_key(row: Mapping[str, Any], id_columns: list[str]) -> str:
    """`KEY (file:row)` on raw tables, `KEY1 | KEY2` elsewhere."""
    key = " | ".join(_fmt(row.get(c)) for c in id_columns if c not in RAW_LOCATION)
    if all(c in id_columns for c in RAW_LOCATION):
        key += f" ({_fmt(row.get('_source_file'))}:{_fmt(row.get('_source_row'))})"
    return key


def _name(config: ExpectationConfiguration) -> str:
    name = f"{config.type}({', '.join(_expectation_columns(config))})"
    condition = config.kwargs.get("row_condition")
    if isinstance(condition, dict):
        condition = deserialize_row_condition(condition)
    return f"{name} if {condition!r}" if condition else name


def _report_order(configs: list[ExpectationConfiguration]) -> list[int]:
    """Positions of the suite's expectations in the order GX reports them: grouped by their
    `column` argument, first seen first (`Validator.process_expectations_for_validation`)."""
    groups: dict[str | None, list[int]] = {}
    for position, config in enumerate(configs):
        column = config.kwargs.get("column")
        groups.setdefault(column if isinstance(column, str) else None, []).append(position)
    return [position for group in groups.values() for position in group]


def _plain(value: Any) -> Any:
    """A pandas cell as DuckDB would return it (None for a missing value)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def _failures(frame: pd.DataFrame, rows_at: np.ndarray, name: str, ids: list[str]) -> pd.DataFrame:
    """The rows at positions `rows_at` as kept failures of expectation `name`."""
    rows = frame.iloc[rows_at][list(dict.fromkeys([*ids, *_BOOKKEEPING]))].to_dict("records")
    records = [
        {
            "expectation": name,
            "failing_key": format_key(row, ids),
            "raw_batch_id": _plain(row["_batch_id"]),
            "loaded_at": _plain(row["_loaded_at"]),
            "source_file": _plain(row["_source_file"]),
            "source_row": _plain(row["_source_row"]),
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=validated.FAILURE_COLUMNS)


def _kept(frame: pd.DataFrame, labels: list[int], config: ExpectationConfiguration) -> np.ndarray:
    """The failing rows this validation keeps (`frame` has a RangeIndex: labels are positions):
    new rows; for a group-level expectation also an old row in a group with no other old row
    (else it was kept when its group formed)."""
    positions = np.asarray(labels, dtype=np.int64)
    keep = frame[_NEW].to_numpy(dtype=bool)
    if category(config) == GROUP:
        old = frame.loc[~frame[_NEW], list(config.kwargs["column_list"])]
        keep = keep | ~frame.index.isin(old.index[old.duplicated(keep=False)])
    return positions[keep[positions]]


def _sub_suite(suite: gx.ExpectationSuite, positions: list[int]) -> gx.ExpectationSuite:
    """Copies of the expectations at `positions`, each knowing its position (in meta)."""
    copies = []
    for position in positions:
        expectation = copy.deepcopy(suite.expectations[position])
        expectation.meta = {**(expectation.meta or {}), "position": position}
        copies.append(expectation)
    return gx.ExpectationSuite(name=f"{suite.name}.new_rows", expectations=copies)


def _validate(
    frame: pd.DataFrame, suite: gx.ExpectationSuite, positions: list[int], ids: list[str]
) -> tuple[dict[int, pd.DataFrame], dict[int, str]]:
    """Validate `frame` against the expectations at `positions`: per position, the failing
    rows to keep, or the error it raised."""
    if frame.empty or not positions:
        return {}, {}
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    # Every failing row's index label, and neither the rows as dicts (slow: 100 s for 400k
    # failures on 1M rows) nor the query GX would build from the labels.
    result_format = {
        "result_format": "COMPLETE",
        "partial_unexpected_count": MAX_SAMPLE,
        "return_unexpected_index_query": False,
    }
    found: dict[int, pd.DataFrame] = {}
    errors: dict[int, str] = {}
    for result in batch.validate(_sub_suite(suite, positions), result_format=result_format).results:
        config = result.expectation_config
        position = int(config.meta["position"])
        error = _error(result)
        if error is not None:
            errors[position] = error
            continue
        labels = list((result.result or {}).get("unexpected_index_list") or [])
        found[position] = _failures(frame, _kept(frame, labels, config), _name(config), ids)
    return found, errors


def _error(result: Any) -> str | None:
    """Why GX could not evaluate an expectation (it reports a raised exception flat, or per
    metric), or None."""
    info = result.exception_info or {}
    raised = (
        [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    )
    for item in raised:
        if item.get("raised_exception"):
            return str(item.get("exception_message"))
    if not result.success and (result.result or {}).get("unexpected_count") is None:
        return "not evaluated"
    return None


def _shared_columns(groups: list[ExpectationConfiguration]) -> list[str]:
    """The columns every group-level expectation groups by: rows equal on them are read."""
    if not groups:
        return []
    common = set.intersection(*(set(c.kwargs["column_list"]) for c in groups))
    if not common:
        raise ValueError("the group-level expectations of a suite must share a column")
    return [c for c in groups[0].kwargs["column_list"] if c in common]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=validated.FAILURE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _row_count_ok(kwargs: Mapping[str, Any], rows: int) -> bool:
    """`expect_table_row_count_to_be_between` on the table's row count."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and (rows <= low if kwargs.get("strict_min") else rows < low):
        return False
    return high is None or (rows < high if kwargs.get("strict_max") else rows <= high)


def _outcome(
    config: ExpectationConfiguration,
    rows: int,
    stored: validated.Stored,
    new: pd.DataFrame | None,
    error: str | None,
) -> ExpectationOutcome:
    meta = config.meta or {}
    name = _name(config)
    common = {
        "name": name,
        "blocking": bool(meta.get("blocking", True)),
        "reason": str(meta.get("reason", "")),
    }
    if error is not None:
        return ExpectationOutcome(
            **common, success=False, unexpected_count=None, failing_keys=(), error=error
        )
    if category(config) == TABLE:
        success = _row_count_ok(config.kwargs, rows)
        return ExpectationOutcome(**common, success=success, unexpected_count=None, failing_keys=())
    records = list(stored.samples.get(name, []))
    count = stored.counts.get(name, 0)
    if new is not None and not new.empty:
        records += new.to_dict("records")
        count += len(new)
    first = heapq.nsmallest(MAX_SAMPLE, records, key=validated.order_key)
    keys = tuple(str(r["failing_key"]) for r in first)
    return ExpectationOutcome(
        **common, success=count == 0, unexpected_count=count, failing_keys=keys
    )


def _standing(
    con: duckdb.DuckDBPyConnection,
    table: str,
    config: ExpectationConfiguration,
    counting: Mapping[str, Any] | None,
    new: pd.DataFrame | None,
) -> tuple[int, list[dict[str, Any]]]:
    """The failing rows of a `versions_of` expectation that no later version of their key
    superseded (raw is append-only: a row once superseded stays so): their count and the
    first MAX_SAMPLE in `validated.ORDER`. Its kept failures are those of `counting` (the
    parameters of `validated.counting_failures_sql`; None for a full validation) and `new`."""
    key = list(config.meta["versions_of"])
    order = [c for c in config.kwargs["column_list"] if c not in key]
    parts: list[str] = []
    params: dict[str, Any] = {"limit": MAX_SAMPLE}
    if counting is not None:
        parts.append(validated.counting_failures_sql())
        params |= {**counting, "expectation": _name(config)}
    if new is not None and not new.empty:
        typed = ", ".join(f"cast({c} as {t}) as {c}" for c, t in validated.FAILURE_TYPES.items())
        parts.append(f"select {typed} from new_failures")
        con.register("new_failures", new[validated.FAILURE_COLUMNS])
    at = (
        "r._batch_id is not distinct from f.raw_batch_id"
        " and r._source_file is not distinct from f.source_file"
        " and r._source_row is not distinct from f.source_row"
    )
    same_key = " and ".join(f'r."{c}" is not distinct from k."{c}"' for c in key)
    latest_first = ", ".join(f'r."{c}" desc nulls last' for c in order)
    try:
        rows = con.execute(
            f"""
            with failures as ({" union all ".join(parts)}),
            failing_keys as (
                select distinct {_quoted(key, "r.")} from {table} as r
                semi join failures as f on {at}
            ),
            latest as (
                select r._batch_id, r._source_file, r._source_row
                from {table} as r semi join failing_keys as k on {same_key}
                qualify dense_rank() over (
                    partition by {_quoted(key, "r.")} order by {latest_first}
                ) = 1
            ),
            standing as (select f.* from failures as f semi join latest as r on {at})
            select *, count(*) over () from standing order by {validated.order_sql(con)}
            limit $limit
            """,
            params,
        ).fetchall()
    finally:
        if new is not None and not new.empty:
            con.unregister("new_failures")
    records = [dict(zip(validated.FAILURE_COLUMNS, row[:-1], strict=True)) for row in rows]
    return (rows[0][-1] if rows else 0), records


def run_suite_on(
    con: Connection, table: str, suite: gx.ExpectationSuite, *, full: bool = False
) -> SuiteOutcome:
    """Validate the rows of raw `table` that `suite` has not validated yet (every row with
    `full`, or under a new suite) over `con`, and report on the whole table. Nothing is
    written: `SuiteOutcome.store` keeps what was found."""
    started = time.perf_counter()
    configs = [e.configuration for e in suite.expectations]
    names = [_name(c) for c in configs]
    if len(set(names)) < len(names):
        raise ValueError(f"suite {suite.name} names two expectations alike: {names}")
    kinds = [category(c) for c in configs]
    ids = list(suite.meta.get("id_columns", []))
    columns = list(dict.fromkeys([*suite_columns(suite), *_BOOKKEEPING]))
    _check_columns(con, table, columns)
    fingerprint = validated.suite_fingerprint(suite)
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
    chain = None if full else validated.chain(con, table, fingerprint)
    done = chain.batches if chain else frozenset()
    loaded = con.execute(f"select distinct _batch_id from {table}").fetchall()
    batches = [batch for (batch,) in loaded if batch not in done]
    checked = [p for p, kind in enumerate(kinds) if kind != TABLE]
    shared = _shared_columns([c for c, k in zip(configs, kinds, strict=True) if k == GROUP])
    found: dict[int, pd.DataFrame] = {}
    errors: dict[int, str] = {}
    read_seconds = validate_seconds = 0.0
    rows_read = rows_new = 0
    for frame in _frames(con, table, columns, shared, None if chain is None else batches):
        read_seconds += time.perf_counter() - started
        started = time.perf_counter()
        run_found, run_errors = _validate(frame, suite, checked, ids)
        validate_seconds += time.perf_counter() - started
        started = time.perf_counter()
        for position, failing in run_found.items():
            found[position] = _concat([found.get(position, pd.DataFrame()), failing])
        errors = run_errors | errors
        rows_read += len(frame)
        rows_new += int(frame[_NEW].sum()) if not frame.empty else 0
        del frame
    read_seconds += time.perf_counter() - started
    started = time.perf_counter()
    stored = (
        validated.stored_failures(con, table, fingerprint, chain.since, MAX_SAMPLE)
        if chain is not None
        else validated.Stored({}, {})
    )
    new = dict(found)
    counting = {"table": table, "fingerprint": fingerprint, "since": chain.since} if chain else None
    for p in checked:
        name, failing = names[p], found.get(p)
        if "versions_of" in (configs[p].meta or {}) and (
            stored.counts.get(name) or (failing is not None and not failing.empty)
        ):
            count, sample = _standing(con, table, configs[p], counting, failing)
            counts, samples = stored.counts | {name: count}, stored.samples | {name: sample}
            stored, new[p] = validated.Stored(counts, samples), None
    results = tuple(
        _outcome(configs[p], rows, stored, new.get(p), errors.get(p))
        for p in _report_order(configs)
    )
    validation = None
    if not errors and (chain is None or batches):
        validation = validated.Validation(
            table=table,
            fingerprint=fingerprint,
            full=chain is None,
            batches=tuple(batches),
            rows=rows_new,
            failures=_concat(list(found.values())),
            after=chain.latest if chain else None,
        )
    return SuiteOutcome(
        table=table,
        success=all(r.success for r in results),
        row_count=rows,
        results=results,
        read_seconds=read_seconds,
        validate_seconds=validate_seconds + time.perf_counter() - started,
        rows_read=rows_read,
        validation=validation,
    )


def run_suite(
    warehouse: Path,
    table: str,
    suite: gx.ExpectationSuite,
    *,
    run_id: str | None = None,
    full: bool = False,
) -> SuiteOutcome:
    """Validate raw `table` (``schema.name``) of the DuckDB file `warehouse`, read read-only;
    with `run_id`, keep what was found (a short read-write connection), as a build's check
    does."""
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"warehouse {warehouse} does not exist")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcome = run_suite_on(con, table, suite, full=full)
    if run_id is not None:
        write_with_retry(lambda: duckdb.connect(str(warehouse)), lambda c: outcome.store(c, run_id))
    return outcome


__all__ = [
    "CATEGORY",
    "ExpectationOutcome",
    "SuiteOutcome",
    "category",
    "format_key",
    "run_suite",
    "run_suite_on",
    "suite_columns",
]
