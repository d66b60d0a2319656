"""What a failed check does to the build: the one home of the blocking rule (DESIGN.md §2).

Every check has one of three levels, declared beside it with its reason:

- `blocking`: a failure means the published figures as a whole would be wrong (open AR does
  not reconcile to the sources to the cent, a mart key is duplicated, a source is empty). The
  build is not published: the dashboard keeps the last good build (`orchestration.publish`).
- `row`: a row-level defect (an allocation to an unknown invoice, a contact on an unknown
  case, a document without an FX rate). The failing rows are recorded with their keys, the
  figures they feed are null or leave them out (each model says how), and the build goes on.
  When more than `quality.max_failing_row_share` of the rows a check reads fail, the data as
  a whole is suspect (a broken export, a wrong file): the check then blocks too.
- `warning`: worth a look, never blocks (freshness, volume, distribution shifts, hints).

Where each kind of check declares its level: raw suites in `data_quality.suites_raw` (an
expectation's `blocking` meta; one that counts failing rows is row-level), SQL checks in
`data_quality.sql_checks`, dbt tests in their YAML (`orchestration.dbt_results.dbt_test_level`):
`config: {meta: {level: ...}}` when declared, else `blocking` for severity error and `row` for
severity warn; a warn test that must never block says `meta: {level: warning}`, and why it is
there in its `description` (without one, its record says what its level means:
`LEVEL_REASONS`). A row-level dbt test's share is of the rows of the model it tests (an
accepted_values test counts rows with `fail_calc: sum(n_records)`). Every kind is judged by
`verdict` below.

A check's status in `quality.check_results` is `pass`, `warn` (failed, does not block) or
`fail` (failed and blocks publication); a build is published only when no check has `fail`.
Every check runs in every build, whatever another one found, so one build reports every
problem (`orchestration.build`).
"""

from __future__ import annotations

from typing import Literal, get_args

Level = Literal["blocking", "row", "warning"]
LEVELS: tuple[str, ...] = get_args(Level)

# What a failure at each level means, said for a check that gives no reason of its own (a dbt
# test without a description).
LEVEL_REASONS: dict[str, str] = {
    "blocking": "a failure means the published figures as a whole would be wrong: it blocks",
    "row": (
        "a row-level defect: the failing rows are flagged and left out of the figures they feed;"
        " it blocks when more than the allowed share of rows fail"
    ),
    "warning": "worth a look, never blocks",
}


def verdict(level: Level, failing: int, checked: int | None, max_share: float) -> str:
    """`pass`, `warn` or `fail` for a check at `level` with `failing` of `checked` rows bad.

    A row-level check whose row count is unknown (`checked` None) is judged on its failing
    count alone: any failure warns."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if failing <= 0:
        return "pass"
    if level == "blocking":
        return "fail"
    if level == "row" and checked and failing / checked > max_share:
        return "fail"
    return "warn"


def share_text(failing: int, checked: int | None, max_share: float) -> str:
    """`3 of 1,200 rows (0.25 %; blocks above 1 %)`, for a row-level check's description."""
    if not checked:
        return f"{failing:,} row(s)"
    return (
        f"{failing:,} of {checked:,} rows ({100 * failing / checked:.2g} %; "
        f"blocks above {100 * max_share:g} %)"
    )
