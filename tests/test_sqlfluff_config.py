"""sqlfluff's dbt templater compiles the models as a build does, without a warehouse."""

from __future__ import annotations

import yaml
from sqlfluff.core import FluffConfig

from amicable.config import load_config
from amicable.settings import DBT_PROJECT_DIR, DEFAULT_CONFIG, REPO_ROOT


def test_the_dbt_templater_gets_the_vars_a_build_passes() -> None:
    config = FluffConfig.from_root(extra_config_path=str(REPO_ROOT / ".sqlfluff"))
    context = config.get_section(("templater", "dbt", "context"))
    assert context == load_config(DEFAULT_CONFIG).dbt_vars() | {"as_of": "2026-01-31"}


def test_the_lint_target_is_an_in_memory_duckdb() -> None:
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    lint = profiles["amicable"]["outputs"]["lint"]
    assert (lint["type"], lint["path"]) == ("duckdb", ":memory:")
