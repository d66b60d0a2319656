"""Every source table is declared once, in ingestion/contracts.py: dbt's raw sources must list
exactly those tables, with exactly the contract's columns and the load metadata, in order."""

from __future__ import annotations

import yaml

from amicable.settings import DBT_PROJECT_DIR
from ingestion.contracts import METADATA_COLUMNS, SOURCES


def test_the_dbt_raw_sources_are_the_contracts() -> None:
    declared = yaml.safe_load(
        (DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml").read_text()
    )["sources"]
    tables = {
        table["name"]: [column["name"] for column in table.get("columns", [])]
        for source in declared
        for table in source["tables"]
    }
    assert tables == {source.name: [*source.columns, *METADATA_COLUMNS] for source in SOURCES}
