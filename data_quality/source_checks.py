"""Warning checks evaluated for several source tables in one step: volume against the previous
load, freshness, distribution shifts. Their thresholds come from the `quality` section of the
configuration file, through the resource that holds its path (`BusinessConfig`).

Each is one Dagster multi-asset check with one check per raw table, named alike on every table
(`volume_vs_previous_load`, `freshness`, `distribution_shift`). They are warnings
(`data_quality.policy`): they fail with severity WARN only and never block. Every evaluation
is a row of `quality.check_results`; freshness also writes `quality.source_freshness`.
"""

# No `from __future__ import annotations`: Dagster inspects the check's `context` annotation.
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import dagster as dg
import duckdb

from amicable.config import Quality
from amicable.settings import today
from data_quality import freshness
from data_quality.distribution import WATCHED, WATCHED_BY_TABLE, share_shift
from data_quality.integrity import volume_vs_previous_load
from data_quality.outcomes import sql_check_result, sql_record
from data_quality.results import CheckRecord, append_with_retry
from data_quality.sqlcheck import SqlOutcome, staging
from ingestion.contracts import SOURCES

VOLUME_CHECK = "volume_vs_previous_load"
FRESHNESS_CHECK = "freshness"
DISTRIBUTION_CHECK = "distribution_shift"


@dataclass(frozen=True)
class Evaluation:
    """Outcomes per table, and what else to store with their records (run id given)."""

    outcomes: dict[str, SqlOutcome]
    store: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None


Evaluate = Callable[[duckdb.DuckDBPyConnection, Quality, list[str], date], Evaluation]


class SourceCheckRunConfig(dg.Config):
    """The build's as-of date (YYYY-MM-DD), which freshness is measured at; empty: today (UTC)."""

    as_of: str = ""


def _as_of(text: str) -> date:
    if not text:
        return today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"as_of {text!r} in the run config is not a date (YYYY-MM-DD)") from None


def _specs(
    name: str, tables: Sequence[str], description: str, staged: bool
) -> list[dg.AssetCheckSpec]:
    """One spec per raw table; `staged`: the check reads the table's staging model too."""
    return [
        dg.AssetCheckSpec(
            name,
            asset=dg.AssetKey(["raw", t]),
            description=description,
            additional_deps=[dg.AssetKey(list(staging(t)))] if staged else [],
        )
        for t in tables
    ]


def _chosen(context: dg.AssetCheckExecutionContext, tables: Sequence[str]) -> list[str]:
    chosen = {k.asset_key.path[-1] for k in context.selected_asset_check_keys}
    return [t for t in tables if t in chosen]


def warning_records(name: str, outcomes: dict[str, SqlOutcome]) -> list[CheckRecord]:
    """The warning-level record of check `name` on each raw table of `outcomes` (asset
    `raw/<table>`), as every engine's build records it."""
    return [
        sql_record(name, dg.AssetKey(["raw", table]).to_user_string(), "warning", outcome)
        for table, outcome in outcomes.items()
    ]


def _results(
    context: dg.AssetCheckExecutionContext, name: str, outcomes: dict[str, SqlOutcome]
) -> tuple[list[dg.AssetCheckResult], list[CheckRecord]]:
    """One warning-level result and one record per table; stale or shifted ones are logged."""
    records = warning_records(name, outcomes)
    results = []
    for (table, outcome), record in zip(outcomes.items(), records, strict=True):
        if not outcome.success:
            context.log.warning(f"{name}: {outcome.summary}")
        key = dg.AssetKey(["raw", table])
        results.append(sql_check_result(record, outcome, asset_key=key, check_name=name))
    return results, records


def _warning_check(
    name: str,
    tables: Sequence[str],
    description: str,
    evaluate: Evaluate,
    warehouse_key: str,
    config_key: str,
    staged: bool = False,
) -> dg.AssetChecksDefinition:
    """A multi-asset warning check on `tables` whose outcomes come from `evaluate` (`staged`:
    it reads their staging models, after dbt)."""

    @dg.multi_asset_check(
        specs=_specs(name, tables, description, staged),
        name=name,
        can_subset=True,
        required_resource_keys={warehouse_key, config_key},
    )
    def _check(context: dg.AssetCheckExecutionContext, config: SourceCheckRunConfig):
        warehouse = getattr(context.resources, warehouse_key)
        quality = getattr(context.resources, config_key).config().quality
        as_of = _as_of(config.as_of)
        with warehouse.connect(read_only=True) as con:
            evaluation = evaluate(con, quality, _chosen(context, tables), as_of)
        results, records = _results(context, name, evaluation.outcomes)
        append_with_retry(
            lambda: warehouse.connect(read_only=False),
            records,
            context.run.run_id,
            store=evaluation.store,
        )
        yield from results

    return _check


def volume(
    con: duckdb.DuckDBPyConnection, quality: Quality, tables: list[str], as_of: date
) -> Evaluation:
    """Rows of each of `tables`' latest load vs its previous one (`raw._loads` on `con`)."""
    found = volume_vs_previous_load(con, quality.volume)
    return Evaluation(
        {t: found.get(t) or SqlOutcome(0, (), f"no load of {t} logged") for t in tables}
    )


def _freshness(
    con: duckdb.DuckDBPyConnection, quality: Quality, tables: list[str], as_of: date
) -> Evaluation:
    items = freshness.measure(con, {t: quality.freshness[t] for t in tables}, as_of)
    return Evaluation(
        {i.source_table: freshness.outcome(i) for i in items},
        lambda con, run_id: freshness.store(con, items, run_id),
    )


def _distribution(
    con: duckdb.DuckDBPyConnection, quality: Quality, tables: list[str], as_of: date
) -> Evaluation:
    return Evaluation(
        {t: share_shift(con, WATCHED_BY_TABLE[t], quality.distribution) for t in tables}
    )


def _all_sources(tables: Sequence[str]) -> list[str]:
    return list(tables) or [s.name for s in SOURCES]


def build_volume_check(
    warehouse_key: str = "warehouse", config_key: str = "business", tables: Sequence[str] = ()
) -> dg.AssetChecksDefinition:
    """Rows of each source's latest load vs its previous one (`tables`: default all)."""
    return _warning_check(
        VOLUME_CHECK,
        _all_sources(tables),
        "Warning: rows of the latest load vs the previous load, within quality.volume bounds.",
        volume,
        warehouse_key,
        config_key,
    )


def build_freshness_check(
    warehouse_key: str = "warehouse", config_key: str = "business", tables: Sequence[str] = ()
) -> dg.AssetChecksDefinition:
    """Age of each source's newest record at the as-of date vs its cadence (`tables`: default
    all); also stored in `quality.source_freshness`."""
    return _warning_check(
        FRESHNESS_CHECK,
        _all_sources(tables),
        "Warning: the newest record is older than the source's cadence (quality.freshness).",
        _freshness,
        warehouse_key,
        config_key,
    )


def build_distribution_check(
    warehouse_key: str = "warehouse", config_key: str = "business"
) -> dg.AssetChecksDefinition:
    """The recent share of each `distribution.WATCHED` share vs its baseline (on the rows as
    staging keeps them)."""
    return _warning_check(
        DISTRIBUTION_CHECK,
        [w.table for w in WATCHED],
        "Warning: a share that only moves when the feed breaks has shifted.",
        _distribution,
        warehouse_key,
        config_key,
        staged=True,
    )


def build_source_checks(
    warehouse_key: str = "warehouse", config_key: str = "business"
) -> list[dg.AssetChecksDefinition]:
    """Volume, freshness and distribution checks on every source table they cover."""
    return [
        build_volume_check(warehouse_key, config_key),
        build_freshness_check(warehouse_key, config_key),
        build_distribution_check(warehouse_key, config_key),
    ]
