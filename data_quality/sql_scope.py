"""Which rows a SQL check reads on this build: on a daily build, the rows new since it last
passed on every row; else every row. The raw suites' record of what was validated
(`data_quality.validated`) is reused: a SQL check's evaluations are validations of
`sql_check.<name>` under the check's fingerprint, listing the raw batches they covered, with
one failure row per failing key found.

A check reads every row (and starts a new chain of validations) when:
- the build is a full refresh (`marts.dim_build.full_refresh_reason` is set: asked for with
  `--full-refresh`, a first build, changed models or settings, an earlier as-of date);
- the check never read every row under its current fingerprint (its SQL changed);
- it found a failing row since it last read every row: a failure can be cured by a later row
  of another source (an invoice arriving after its allocation), so its rows are read again
  until a whole reading passes;
- the check cannot be restricted (`SqlCheck.scoped` false).

Otherwise it reads the rows of the staging models whose kept version came in a raw batch not
covered yet, and the rows those can change the verdict of (`SqlCheck.run` says which, e.g.
the allocations of an invoice with a new version). Why that is sound: staging rows change only
when a new version of their key wins (its batch is then new), raw is append-only so no key
disappears from staging, and every row out of scope passed when the check last read it. A
restricted evaluation says so in its description (`describe`).
"""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboards.postgres import MISSING_COLUMN_OR_RELATION, Connection, rollback
from data_quality import validated
from data_quality.sqlcheck import Scope, SqlCheck, SqlOutcome
from ingestion.contracts import SOURCES

# Bump when what a stored evaluation means changes: every check then reads every row again.
STATE_VERSION = 1


def state_name(check: SqlCheck) -> str:
    """The name a check's evaluations are kept under (`quality.raw_validations.table_name`)."""
    return f"sql_check.{check.name}"


def fingerprint(check: SqlCheck) -> str:
    """SHA-256 of the check's name, level and source code (a changed query is another check)."""
    source = inspect.getsource(check.run)
    text = f"{STATE_VERSION}\0{check.name}\0{check.level}\0{source}"
    return hashlib.sha256(text.encode()).hexdigest()


def full_refresh_reason(con: Connection) -> str:
    """Why this build recomputed every model (`marts.dim_build`), "" for a daily build."""
    try:
        row = con.execute("select full_refresh_reason from marts.dim_build").fetchone()
    except (duckdb.Error, *MISSING_COLUMN_OR_RELATION):  # none, or one from before the column
        rollback(con)  # a PostgreSQL transaction is unusable after an error until then
        return "no build context"
    return (row[0] or "") if row else "no build context"


def loaded_batches(con: duckdb.DuckDBPyConnection) -> list[str | None]:
    """Every raw batch loaded into a source table."""
    union = " union ".join(f"select distinct _batch_id from raw.{s.name}" for s in SOURCES)
    return [b for (b,) in con.execute(union).fetchall()]


@dataclass(frozen=True)
class Plan:
    """What one evaluation of the checks kept as `name` reads: `scope` None for every row
    (`reason` says why)."""

    name: str
    fingerprint: str
    scope: Scope | None
    reason: str
    batches: tuple[str | None, ...]  # the batches it covers
    after: validated.Chain | None  # the chain a restricted evaluation continues


def plan_for(
    con: duckdb.DuckDBPyConnection, name: str, fingerprint: str, refresh: str, why_whole: str = ""
) -> Plan:
    """Every row or the new ones (see the module's docstring) for the checks kept as `name`,
    over a read-only connection; `refresh`: the build's full refresh reason, `why_whole`: a
    reason of the caller's to read every row."""
    loaded = loaded_batches(con)
    chain = validated.chain(con, name, fingerprint)
    reason = why_whole or (f"full refresh: {refresh}" if refresh else "")
    if not reason and chain is None:
        reason = "first reading under this version of the checks"
    elif not reason and chain is not None and _failed_since(con, name, fingerprint, chain):
        reason = "failing rows found since every row was last read"
    if reason or chain is None:
        return Plan(name, fingerprint, None, reason, tuple(loaded), None)
    new = tuple(b for b in loaded if b not in chain.batches)
    return Plan(name, fingerprint, Scope(tuple(b for b in new if b is not None)), "", new, chain)


def _failed_since(
    con: duckdb.DuckDBPyConnection, name: str, fingerprint: str, chain: validated.Chain
) -> bool:
    return bool(validated.stored_failures(con, name, fingerprint, chain.since, 1).counts)


def plan(con: duckdb.DuckDBPyConnection, check: SqlCheck) -> Plan:
    """`plan_for` a SQL check: its own record, the build's full refresh reason."""
    whole = "" if check.scoped else "the check reads every row by design"
    return plan_for(con, state_name(check), fingerprint(check), full_refresh_reason(con), whole)


def describe(plan: Plan) -> str:
    """What the evaluation read, for its description in the build report."""
    if plan.scope is None:
        return f"every row ({plan.reason})"
    return (
        f"daily build: only the rows of {len(plan.batches)} raw batch(es) new since these "
        "checks last passed on every row, and the rows they can change; every row on "
        "--full-refresh"
    )


def validation(plan: Plan, failing_keys: list[str], rows: int = 0) -> validated.Validation:
    """The record of this evaluation (`failing_keys`: one per failing row or check found, none
    when it passed), to append when its result is recorded."""
    empty = dict.fromkeys(validated.FAILURE_COLUMNS)  # no raw row: None, not a float NaN
    failures = pd.DataFrame(
        [empty | {"expectation": plan.name, "failing_key": key} for key in failing_keys],
        columns=validated.FAILURE_COLUMNS,
        dtype=object,
    )
    return validated.Validation(
        table=plan.name,
        fingerprint=plan.fingerprint,
        full=plan.scope is None,
        batches=plan.batches,
        rows=rows,
        failures=failures,
        after=plan.after.latest if plan.after else None,
    )


def failing_keys(outcome: SqlOutcome) -> list[str]:
    """A SQL check's failing keys, at least one line when it failed."""
    keys = list(outcome.failing_keys)
    return keys or ([outcome.summary] if outcome.failing_count else [])
