"""Rules of an existing kind added to a YAML pack are evaluated with no Python or SQL change:
one of each kind the issue names (quiet hours, frequency window, blocking event), and a
required_before rule using its list of steps and its required channels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from tests.dbt_project.raw_fixture import AS_OF, RAW_FILES, build_raw_warehouse, run_dbt

NEW_RULES = """
  - id: US-LETTER-HOURS
    kind: quiet_hours
    scope: B2C
    legal_reference: test-only rule
    params: {start: "09:00:00", end: "17:00:00", channels: [letter]}
  - id: US-2IN1
    kind: frequency_window
    scope: B2C
    legal_reference: test-only rule
    params: {window_days: 1, max_attempts: 1}
  - id: US-AFTER-PROMISE
    kind: blocking_event
    scope: B2C
    legal_reference: test-only rule
    params: {start_event: promise_made, channels: [call]}
  - id: US-EMAIL-FIRST
    kind: required_before
    scope: B2C
    legal_reference: test-only rule
    params:
      steps: [outbound_contact, promise_made]
      required_template: first_notice
      required_channels: [email]
      min_days_before: 0
"""
# A second call of case C1 the same local day as K1 (2026-03-02 10:00 EST), after the promise.
SECOND_CALL = {
    "contacts/calls_2026-03-03T0200.csv": {"contacts_calls": [
        {"contact_id": "K2", "case_id": "C1", "debtor_id": "D2", "agent_id": "AG1",
         "direction": "outbound", "started_at": "2026-03-02 15:00:00", "duration_s": 0,
         "outcome": "no_answer"},
    ]},
}  # fmt: skip


def _breaches(tmp_path: Path, config: Path) -> set[tuple[str, str]]:
    warehouse = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(warehouse, RAW_FILES | SECOND_CALL)
    variables = json.dumps(load_config(config).dbt_vars() | {"as_of": AS_OF})
    run = run_dbt(
        ["run", "--select", "+fct_compliance_breaches", "--vars", variables], warehouse, tmp_path
    )
    assert run.returncode == 0, run.output[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select rule_id, evidence_ids from marts.fct_compliance_breaches")
        return set(rows.fetchall())


def test_new_rules_of_existing_kinds_in_the_us_pack_are_evaluated(tmp_path: Path) -> None:
    config = tmp_path / "config" / "amicable.yml"
    shutil.copytree(DEFAULT_CONFIG.parent, config.parent)
    us = config.parent / "rule_packs" / "US.yml"
    us.write_text(us.read_text() + NEW_RULES)
    found = _breaches(tmp_path, config)
    # Case C1 (US, B2C, America/New_York): letter M1 at 2026-03-01 12:00 UTC = 07:00 EST and
    # call K1 at 2026-03-02 10:00 UTC = 05:00 EST, before 08:00 (US-HOURS); K1 is a promise to
    # pay (a conversation, promise E2 at 10:30 UTC), so K2 at 15:00 UTC the same local day is a
    # second call that day, after a conversation and after the promise. No first_notice goes
    # by email: M1 (the first_notice letter), K1, the promise E2 and K2 are steps without it.
    assert found == {
        ("US-LETTER-HOURS", "M1"),
        ("US-HOURS", "K1"),
        ("US-2IN1", "K1,K2"),
        ("US-AFTER-CONV", "K1,K2"),
        ("US-AFTER-PROMISE", "E2,K2"),
        ("US-EMAIL-FIRST", "M1"),
        ("US-EMAIL-FIRST", "K1"),
        ("US-EMAIL-FIRST", "E2"),
        ("US-EMAIL-FIRST", "K2"),
    }
