"""Which rows the data tests of the incremental models read on a daily build.

Some incremental models stamp every row they write with the build's input mark, `loaded_at`:
the newest raw load of their inputs, which never decreases from one build to the next (raw is
append-only). Their tests configured with `where: __written_since_tested__`
(`dbt_project/macros/get_where_subquery.sql`) read, on a daily build, only the rows written
since these tests of the model last all passed, and for a uniqueness test every row sharing a
key with one. The model's *tested mark* M is the newest `loaded_at` it held when they last
all passed (build P); the rows read are

- those with `loaded_at` after M: written by a later build;
- those with `loaded_at` equal to M too when the model holds nothing newer (a build whose
  inputs brought nothing new writes its rows with the same mark as P), or when a build since
  P ran without recording its tests (killed): its rows may carry M as well. The mark is then
  not *settled*: every build marks the slot's marks unsettled before it runs dbt and settles
  the ones it records.

Every other row was there when P's tests passed (rows are rewritten, with a new `loaded_at`,
when they change): after a full build, whose rows all carry one mark, the next daily build
reads only what it wrote.

The marks are kept in the slot they describe (`build_state.tested_marks`, one row per model),
not carried between warehouse slots as the history is (`orchestration.catch_up`): a slot's
own model rows are what they vouch for. A slot can hold a build that was not published (a
blocked one), which the next build continues (`orchestration.publish`): a failing test drops
its model's mark, so the next builds read every row of it until they pass again. A full
refresh reads every row (no marks are given).

On PostgreSQL a build writes the unpublished schemas (`orchestration.pg_publish`): its marks
live in `build_state__unpublished`, which publication swaps with `build_state` as it swaps the
models' schemas, so the marks always sit beside the rows they describe. The functions here take
a connection to either engine (`dashboards.postgres.Connection`; on PostgreSQL one whose
`build_state` is the unpublished one: `orchestration.pg_build.marks_for_build`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboards.postgres import Connection, has_table

SCHEMA = "build_state"
NAME = "tested_marks"
TABLE = f"{SCHEMA}.{NAME}"
DDL = f"""
create table if not exists {TABLE} (
    model varchar primary key,
    tested_mark timestamp not null,
    settled boolean not null,
    run_id varchar not null
)"""
PLACEHOLDER = "__written_since_tested__"  # the `where` placeholder of get_where_subquery.sql

Artifact = Mapping[str, Any]


def for_build(con: Connection, full_refresh_reason: str) -> dict[str, dict[str, Any]]:
    """The marks a build's tests read (`marks`), the slot's marks unsettled: what a build does
    before it runs dbt, on a writable connection. The table is created when the slot has none,
    so every build holds one (on PostgreSQL the unpublished one, which publication swaps with
    the published one as it swaps the models)."""
    if not has_table(con, SCHEMA, NAME):
        _create(con)
        return {}
    found = {} if full_refresh_reason else _read(con)
    con.execute(f"update {TABLE} set settled = false")  # its rows may carry the marks
    return found


def marks(con: Connection, full_refresh_reason: str) -> dict[str, dict[str, Any]]:
    """Each model's tested mark for a build's tests (dbt's var `tested_marks`: name ->
    {"mark": ISO timestamp, "settled": bool}); none on a full refresh or before the first."""
    if full_refresh_reason or not has_table(con, SCHEMA, NAME):  # none recorded in this slot
        return {}
    return _read(con)


def _read(con: Connection) -> dict[str, dict[str, Any]]:
    rows = con.execute(f"select model, tested_mark, settled from {TABLE} order by model")
    return {
        model: {"mark": mark.isoformat(), "settled": settled}
        for model, mark, settled in rows.fetchall()
    }


def _create(con: Connection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(DDL)


def where_holds(test: Mapping[str, Any], placeholder: str) -> bool:
    """Whether the test's `where` config holds `placeholder` (one of get_where_subquery.sql's:
    this module's PLACEHOLDER, `orchestration.dbt_results.NEW_ROWS`)."""
    return placeholder in str(test.get("config", {}).get("where") or "")


def reads_written_rows(test: Mapping[str, Any]) -> bool:
    """Whether the test reads only the rows written since it last passed on a daily build."""
    return where_holds(test, PLACEHOLDER)


def marked_model(test: Mapping[str, Any], nodes: Mapping[str, Any]) -> tuple[str, str] | None:
    """(schema, model) whose mark the test reads from (a manifest's `nodes`); None for a test
    that reads every row, or one on no model."""
    model = nodes.get(test.get("attached_node") or "", {})
    if not reads_written_rows(test) or not model:
        return None
    return model["schema"], model["name"]


def verdicts(run_results: Artifact, manifest: Artifact) -> dict[tuple[str, str], bool]:
    """(schema, model) -> whether every test of the model reading only the rows written since
    its mark passed on this build."""
    nodes = manifest.get("nodes", {})
    passed: dict[tuple[str, str], bool] = {}
    for result in run_results.get("results", []):
        key = marked_model(nodes.get(result["unique_id"], {}), nodes)
        if key is not None:
            passed[key] = passed.get(key, True) and result["status"] == "pass"
    return passed


def store(verdicts: Mapping[tuple[str, str], bool]):
    """What to write with the build's check results (`data_quality.outcomes.record_results`,
    one transaction): the new mark of each model whose tests all passed (the newest
    `loaded_at` it holds), no mark for one whose tests did not."""

    def write(con: Connection, run_id: str) -> None:
        _create(con)  # if for_build did not (a build that kept no marks before)
        for (schema, model), passed in sorted(verdicts.items()):
            con.execute(f"delete from {TABLE} where model = ?", [model])
            if passed:
                con.execute(
                    f"insert into {TABLE} select ?, max(loaded_at), true, ?"
                    f' from "{schema}"."{model}" having max(loaded_at) is not null',
                    [model, run_id],
                )

    return write
