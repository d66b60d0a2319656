"""The operations marts take their thresholds from the configuration only (dbt vars passed by
`amicable build`, macro ops_config): a build without them stops at compile time with a message
naming what is missing, instead of building figures on silent defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amicable.config import load_config
from amicable.settings import DEFAULT_CONFIG
from tests.dbt_project.raw_fixture import AS_OF, PROJECT_DIR

SHIPPED = load_config(DEFAULT_CONFIG).dbt_vars()


def _compile(model: str, variables: dict, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("dbt")),
        "compile", "--select", model, "--vars", json.dumps(variables),
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ]  # fmt: skip
    env = {
        **os.environ,
        "AMICABLE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "0",
    }
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    ("model", "variables", "message"),
    [
        # a bare build: no promise terms at all
        ("fct_promises", {"as_of": AS_OF}, "var promises is missing"),
        # a hand-written var without the stage SLAs (it used to yield no stage_sla rows)
        (
            "fct_stuck_cases",
            {
                "as_of": AS_OF,
                "stuck_cases": {
                    k: v for k, v in SHIPPED["stuck_cases"].items() if k != "stage_sla_days"
                },
            },
            "var stuck_cases has no key stage_sla_days",
        ),
    ],
)
def test_a_missing_threshold_stops_the_compile_naming_it(
    model: str, variables: dict, message: str, tmp_path: Path
) -> None:
    done = _compile(model, variables, tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output[-3000:]
    assert "Compilation Error" in output and message in output, output[-3000:]
    assert "config/amicable.yml" in output  # where the values come from
