"""What a `dbt build` did, read from its artifacts (run_results.json, manifest.json).

- `check_records`: every dbt data test of the run as a `quality.check_results` row, so dbt's
  guards (keys, accepted values, FX rates present, ties between marts) have the same history,
  report and health page as the Great Expectations suites; its description names the test's
  file and level, and says why it is there (its YAML `description`, else what a failure at its
  level means). A test dbt skipped because a model upstream of it failed or was skipped is
  recorded as `skipped`.
- `failure_summary`: one line naming what failed (tests, unit tests, models), for the person
  reading the build's output, instead of dagster-dbt's wrapped command line.

The dbt step runs `dbt run` then `dbt test`, so a failing test never skips a model. What a
failure does is the test's level (`data_quality.policy`, `dbt_test_level`): `meta.level` in its
config when declared, else `blocking` for severity error and `row` for severity warn. A
blocking test blocks publication (status `fail`); a row-level one flags its rows (status
`warn`) and blocks like the row-level SQL checks when its failing rows exceed
`quality.max_failing_row_share` of the tested model's rows (`policy.verdict`, one place); a
warning (a warn test with `meta: {level: warning}`) never blocks. A row-level test counts
failing rows: an accepted_values test declares `fail_calc: sum(n_records)` (dbt counts its
distinct values otherwise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import duckdb

from data_quality import tested_marks
from data_quality.policy import LEVEL_REASONS, LEVELS, Level, share_text, verdict
from data_quality.results import MAX_KEYS, CheckRecord

Artifact = Mapping[str, Any]

_FAILED = ("fail", "error")
_SHOWN = 3  # names per kind in the one-line summary


def _node(manifest: Artifact, unique_id: str) -> Mapping[str, Any]:
    return manifest.get("nodes", {}).get(unique_id) or manifest.get("unit_tests", {}).get(
        unique_id, {}
    )


def _asset(manifest: Artifact, test: Mapping[str, Any]) -> str:
    """The tested model as `schema/name` (its Dagster asset key): the model a singular test
    names in `meta.dagster.ref` (as dagster-dbt does), the generic test's model, else the
    test's first model."""
    ref = test.get("config", {}).get("meta", {}).get("dagster", {}).get("ref", {}).get("name")
    named = [uid for uid in test.get("depends_on", {}).get("nodes", []) if uid.endswith(f".{ref}")]
    candidates = named + [test.get("attached_node")]
    candidates += list(test.get("depends_on", {}).get("nodes", []))
    for unique_id in candidates:
        if unique_id and unique_id.startswith("model."):
            model = _node(manifest, unique_id)
            return f"{model.get('schema', 'main')}/{model.get('name', unique_id)}"
    return "dbt"


def dbt_test_level(test: Mapping[str, Any]) -> Level:
    """A dbt test's level (`data_quality.policy`): `config.meta.level` when declared, else
    `blocking` for severity error and `row` for severity warn. A blocking test has severity
    error, a row-level or warning one severity warn: anything else is refused, naming it."""
    config = test.get("config", {})
    is_error = str(config.get("severity", "error")).lower() == "error"
    level = (config.get("meta") or {}).get("level") or ("blocking" if is_error else "row")
    if level not in LEVELS or (level == "blocking") != is_error:
        severity = "error" if is_error else "warn"
        raise ValueError(
            f"dbt test {test.get('name')} ({test.get('original_file_path', '?')}): level "
            f"{level!r} with severity {severity}; blocking goes with error, row and warning "
            "with warn"
        )
    return level


def _reason(test: Mapping[str, Any], level: Level) -> str:
    """Why the test is there: its description in the YAML (on one line), else what a failure
    at its level means (`policy.LEVEL_REASONS`)."""
    described = " ".join(str(test.get("description") or "").split()).rstrip(".")
    return described or LEVEL_REASONS[level]


RowCounts = Callable[[str], int | None]  # tested model (`schema/name`) -> its rows


def _status(result: Mapping[str, Any], level: Level, rows: int | None, max_share: float) -> str:
    """`pass`, `skipped`, `warn` or `fail` (blocks publication) for a dbt test result."""
    if result["status"] in ("pass", "skipped"):
        return result["status"]
    if result["status"] == "error":  # the test itself failed to run: it judged nothing
        return "fail" if level == "blocking" else "warn"
    return verdict(level, max(int(result.get("failures") or 0), 1), rows, max_share)


def check_records(
    run_results: Artifact,
    manifest: Artifact,
    max_share: float = 0.0,
    row_counts: RowCounts | None = None,
    restricted: str = "",
    marks: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[CheckRecord]:
    """One record per dbt data test in `run_results` (unit tests are code, not data: left out).
    A failed row-level test is judged on its share of the tested model's rows (`row_counts`;
    without it, or for a test on no model, it only warns). `restricted`: what the tests of the
    incremental staging models read on this build (`reads_new_rows`), said in their
    description; `marks`: the tested marks the tests of the other incremental models read
    from (`data_quality.tested_marks`), said in theirs."""
    records = []
    for result in run_results.get("results", []):
        test = _node(manifest, result["unique_id"])
        if test.get("resource_type") != "test":
            continue
        level = dbt_test_level(test)
        asset = _asset(manifest, test)
        failing = int(result.get("failures") or 0)
        rows = None
        if level == "row" and result["status"] in ("fail", "warn") and row_counts:
            rows = row_counts(asset)
        status = _status(result, level, rows, max_share)
        description = (
            f"dbt test ({test.get('original_file_path', '')}, {level}): {_reason(test, level)}"
        )
        if restricted and reads_new_rows(test):
            description += f"; read: {restricted}"
        mark = (marks or {}).get(asset.partition("/")[2])
        if mark and tested_marks.reads_written_rows(test):
            description += (
                "; read: daily build, only the rows written since these tests last passed"
                f" (its tested mark: loaded_at {mark['mark']}) and the rows sharing their keys;"
                " every row on --full-refresh"
            )
        if level == "row" and status in ("warn", "fail") and result["status"] != "error":
            description += f" [{share_text(failing, rows, max_share)}]"
        message = (result.get("message") or "").strip()
        records.append(
            CheckRecord(
                check_name=test.get("name", result["unique_id"]),
                asset=asset,
                status=status,
                blocking=level != "warning",
                failing_count=failing,
                description=description,
                details=[] if status == "pass" else [{"dbt": result["status"], "message": message}],
            )
        )
    return records


NEW_ROWS = "__new_rows__"  # the `where` placeholder of macros/get_where_subquery.sql


def reads_new_rows(test: Mapping[str, Any]) -> bool:
    """Whether the test reads only the new rows on a daily build (`where: __new_rows__`)."""
    return tested_marks.where_holds(test, NEW_ROWS)


def restricted_failures(run_results: Artifact, manifest: Artifact) -> list[str]:
    """The tests reading only the new rows on a daily build that did not pass: while one is
    listed, the next build runs them on every row (`data_quality.sql_scope`)."""
    failed = []
    for result in run_results.get("results", []):
        test = _node(manifest, result["unique_id"])
        if reads_new_rows(test) and result["status"] != "pass":
            failed.append(f"{test.get('name')}: {result['status']}")
    return failed


def model_rows(con: Any, asset: str) -> int | None:
    """Rows of the model `asset` (`schema/name`, as `_asset` names it); None when there is no
    such table (a test on no model, a model that failed to build). `con`: a DuckDB connection,
    or a DB-API one (psycopg2, on a PostgreSQL warehouse: the count in a transaction of its
    own, rolled back on an error)."""
    schema, _, name = asset.partition("/")
    if not name:
        return None
    read = _read(con, f'select count(*) from "{schema}"."{name}"')
    return int(read[1][0][0]) if read and read[1] else None


def _read(con: Any, query: str) -> tuple[list[str], list[tuple]] | None:
    """`query`'s column names and rows, None when it fails. `con`: a DuckDB connection, or a
    DB-API one (psycopg2, on a PostgreSQL warehouse: the query in a transaction of its own,
    rolled back on an error, so the connection goes on)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        try:
            cursor = con.execute(query)
            return [d[0] for d in cursor.description], cursor.fetchall()
        except duckdb.Error:
            return None
    try:
        with con, con.cursor() as cur:
            cur.execute(query)
            return [d[0] for d in cur.description], cur.fetchall()
    except con.Error:  # the DB-API's connection.Error (psycopg2 has it)
        return None


def _key(row: Mapping[str, Any]) -> str:
    """`invoice_id=INV-9, debtor_id=D1`: a failing row by its id columns (else its first 3)."""
    ids = {k: v for k, v in row.items() if k.endswith("_id") or k.endswith("_date")}
    shown = ids or dict(list(row.items())[:3])
    return ", ".join(f"{k}={v}" for k, v in shown.items())


def with_failing_keys(
    con: Any, records: Sequence[CheckRecord], run_results: Artifact
) -> list[CheckRecord]:
    """`records` with the keys of the first failing rows of every failed test, read from the
    view dbt stores its failures in (`store_failures_as: view`, schema `test_failures`).
    `con`: as `model_rows`'."""
    relations = {
        r["unique_id"].split(".")[2]: r.get("relation_name")
        for r in run_results.get("results", [])
        if r["unique_id"].startswith("test.")
    }
    out = []
    for record in records:
        relation = relations.get(record.check_name)
        if record.status in ("pass", "skipped") or not relation:
            out.append(record)
            continue
        table = ".".join(relation.split(".")[-2:])  # schema.name, in this very database
        read = _read(con, f"select * from {table} limit {MAX_KEYS}")
        if read is None:  # a test that errored leaves no view: keep the record as it is
            out.append(record)
            continue
        names, rows = read
        keys = tuple(_key(dict(zip(names, row, strict=True))) for row in rows)
        out.append(dataclasses.replace(record, failing_keys=keys))
    return out


def failure_summary(run_results: Artifact, manifest: Artifact) -> str:
    """`dbt failed: 2 models errored (fct_x: msg; ...); 3 tests failed (a, b, c)`."""
    failed: dict[str, list[str]] = {"model": [], "test": [], "unit_test": []}
    for result in run_results.get("results", []):
        if result["status"] not in _FAILED:
            continue
        node = _node(manifest, result["unique_id"])
        kind = node.get("resource_type", result["unique_id"].split(".")[0])
        name = node.get("name", result["unique_id"])
        if kind == "model":
            message = (result.get("message") or "").strip().splitlines()
            name = f"{name}: {message[0]}" if message else name
        failed.setdefault(kind, []).append(name)
    labels = {
        "model": "model(s) errored",
        "test": "test(s) failed",
        "unit_test": "unit test(s) failed",
    }
    parts = []
    for kind, names in failed.items():
        if names:
            more = len(names) - _SHOWN
            shown = "; ".join(names[:_SHOWN]) + (f"; … {more} more" if more > 0 else "")
            parts.append(f"{len(names)} {labels.get(kind, kind)} ({shown})")
    return "dbt failed: " + ("; ".join(parts) or "see the dbt log")
