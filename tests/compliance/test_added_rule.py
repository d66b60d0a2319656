"""A rule of an existing kind added to a YAML pack is evaluated with no Python change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from tests.dbt_project.raw_fixture import AS_OF, RAW_FILES, build_raw_warehouse, run_dbt

NEW_RULE = """
  - id: US-LETTER-HOURS
    kind: quiet_hours
    scope: B2C
    legal_reference: test-only rule
    params: {start: "09:00:00", end: "17:00:00", channels: [letter]}
"""


def _breaches(tmp_path: Path, config: Path) -> set[tuple[str, str]]:
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES)
    variables = json.dumps(load_config(config).dbt_vars() | {"as_of": AS_OF})
    run = run_dbt(
        ["run", "--select", "+fct_compliance_breaches", "--vars", variables], warehouse, tmp_path
    )
    assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select rule_id, evidence_ids from marts.fct_compliance_breaches")
        return set(rows.fetchall())


def test_a_new_quiet_hours_rule_in_the_us_pack_flags_the_early_letter(tmp_path: Path) -> None:
    config = tmp_path / "config" / "amicable.yml"
    shutil.copytree(DEFAULT_CONFIG.parent, config.parent)
    us = config.parent / "rule_packs" / "US.yml"
    us.write_text(us.read_text() + NEW_RULE)
    found = _breaches(tmp_path, config)
    # Case C1 (US, B2C, America/New_York): letter M1 at 2026-03-01 12:00 UTC = 07:00 EST and
    # call K1 at 2026-03-02 10:00 UTC = 05:00 EST, before 08:00 (US-HOURS).
    assert found == {("US-LETTER-HOURS", "M1"), ("US-HOURS", "K1")}
