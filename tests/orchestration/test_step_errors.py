"""A failed step is reported by its own exception's line, not Dagster's wrapper's."""

from __future__ import annotations

import dagster as dg

from ingestion.source_db import SourceDatabaseError
from orchestration.build import summarise


def test_a_failed_step_is_reported_by_its_exception_s_line() -> None:
    line = "source database postgresql://amicable:***@localhost:5432/x: cannot connect: refused"

    @dg.asset(key=dg.AssetKey(["landing", "source_database"]))
    def extraction() -> None:
        raise SourceDatabaseError(line)

    @dg.asset(deps=[extraction])
    def downstream() -> None:
        pass

    result = dg.materialize([extraction, downstream], raise_on_error=False)
    outcome = summarise(result)
    assert outcome.failed_steps == ["landing__source_database"]
    assert outcome.errors == [line]
    assert not outcome.ok and result.get_asset_materialization_events() == []
