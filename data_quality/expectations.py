"""Building blocks of the suites: blocking/warning marks and the expectations they share.

Every expectation carries ``meta = {"blocking": bool, "reason": str}`` (see `data_quality.suites`
for what blocking and warning mean).
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation

from ingestion.contracts import SOURCES_BY_NAME
from ingestion.currencies import ISO_4217

RAW_LOCATION = ["_source_file", "_source_row"]
CURRENCIES = sorted(ISO_4217)
COUNTRY_PATTERN = r"^[A-Z]{2}$"

E = gx.expectations


def blocking(reason: str, expectation: Expectation) -> Expectation:
    """Mark an expectation as blocking: its failure would make downstream figures wrong."""
    expectation.meta = {"blocking": True, "reason": reason}
    return expectation


def warning(reason: str, expectation: Expectation) -> Expectation:
    """Mark an expectation as a warning: worth a look, figures stay right."""
    expectation.meta = {"blocking": False, "reason": reason}
    return expectation


def is_blocking(expectation: Expectation) -> bool:
    """Whether an expectation is blocking; unmarked expectations are blocking (fail safe)."""
    return bool((expectation.meta or {}).get("blocking", True))


def make_suite(
    table: str, id_columns: list[str], asset_key: list[str], expectations: list[Expectation]
) -> gx.ExpectationSuite:
    meta: dict[str, Any] = {"table": table, "id_columns": id_columns, "asset_key": asset_key}
    # Passed to the constructor: `add_expectation` would need an active GX context.
    return gx.ExpectationSuite(name=table, expectations=expectations, meta=meta)


def source_key(table: str) -> list[str]:
    """The business key columns of a source (`fx_rates`: rate_date and currency)."""
    return [k.strip() for k in SOURCES_BY_NAME[table].key.split(",")]


def raw_suite(table: str, expectations: list[Expectation]) -> gx.ExpectationSuite:
    """A suite on `raw.<table>`: failing rows named by key, file and row."""
    return make_suite(
        f"raw.{table}", [*source_key(table), *RAW_LOCATION], ["raw", table], expectations
    )


def raw_unique(table: str) -> Expectation:
    """Versions of a key that timestamps and load order cannot order: a key twice in one file
    with the same `updated_at`, or in two files with the same extraction time loaded together.
    Staging still picks one (the later row, see `deduplicate_latest`), so figures stay right
    and any correction sent in a later file wins: a warning naming the keys, never a block,
    and only while no later version of the key exists (`versions_of` in its meta: the key; the
    other columns order the versions as `deduplicate_latest` does, see `data_quality.runner`)."""
    source = SOURCES_BY_NAME[table]
    key = source_key(table)
    updated_at = [source.updated_at] if source.updated_at else []
    expectation = warning(
        "a key repeated within one extraction: staging keeps its later row; check the source "
        "(a corrected file clears the doubt)",
        E.ExpectCompoundColumnsToBeUnique(
            column_list=[*key, *updated_at, "_extracted_at", "_loaded_at"]
        ),
    )
    expectation.meta = {**(expectation.meta or {}), "versions_of": key}
    return expectation


def not_null(column: str, reason: str, *, is_blocking: bool = True) -> Expectation:
    mark = blocking if is_blocking else warning
    return mark(reason, E.ExpectColumnValuesToNotBeNull(column=column))


def in_set(column: str, values: Any, reason: str, *, is_blocking: bool = True) -> Expectation:
    mark = blocking if is_blocking else warning
    return mark(reason, E.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)))


def currency(column: str = "currency", *, is_blocking: bool = True) -> Expectation:
    return in_set(
        column,
        CURRENCIES,
        "an unknown currency has no FX rate, so reporting-currency amounts would be wrong",
        is_blocking=is_blocking,
    )


def positive_amount(column: str = "amount") -> Expectation:
    return blocking(
        "amounts are positive by contract; the sign comes from document_type / credit_debit",
        E.ExpectColumnValuesToBeBetween(column=column, min_value=0, strict_min=True),
    )


def at_least(column: str, minimum: float, reason: str, *, is_blocking: bool = True) -> Expectation:
    mark = blocking if is_blocking else warning
    return mark(reason, E.ExpectColumnValuesToBeBetween(column=column, min_value=minimum))


def not_before(later: str, earlier: str, reason: str, *, is_blocking: bool = True) -> Expectation:
    """`later` >= `earlier` on every row where both are set."""
    mark = blocking if is_blocking else warning
    return mark(
        reason,
        E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=later, column_B=earlier, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
    )


def country(column: str) -> Expectation:
    return warning(
        "a malformed country code changes no figure but breaks the jurisdiction drill-down",
        E.ExpectColumnValuesToMatchRegex(column=column, regex=COUNTRY_PATTERN),
    )


def not_empty(what: str) -> Expectation:
    return warning(
        f"no {what} loaded yet: figures are empty rather than wrong",
        E.ExpectTableRowCountToBeBetween(min_value=1),
    )
