"""Names dbt turns into relations fit PostgreSQL's identifiers (63 characters, issue 16).

dbt names a unit test's temporary table and a stored data test's view after the unit test or
the test's `name`, and a model's table after the model: dbt-postgres refuses a longer name
("Relation name ... is longer than 63 characters"), so a name that fits DuckDB alone would
break the build on PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
POSTGRES_IDENTIFIER_LIMIT = 63


def _named_relations(document: dict) -> list[str]:
    """The unit tests', the named data tests' and the models' names in one properties file."""
    names = [test["name"] for test in document.get("unit_tests") or []]
    for model in document.get("models") or []:
        names.append(model["name"])
        tests = list(model.get("data_tests") or [])
        for column in model.get("columns") or []:
            tests += column.get("data_tests") or []
        for test in tests:
            if isinstance(test, dict):
                for settings in test.values():
                    if isinstance(settings, dict) and "name" in settings:
                        names.append(settings["name"])
    return names


def test_every_relation_name_fits_a_postgres_identifier() -> None:
    names = {
        name: path.relative_to(MODELS_DIR)
        for path in sorted(MODELS_DIR.rglob("*.yml"))
        for name in _named_relations(yaml.safe_load(path.read_text()) or {})
    }
    # the walk reaches models, unit tests and named data tests
    assert {"fct_ar_ageing", "transitions_give_counts_median_and_90th_percentile"} <= set(names)
    assert "fct_dso_periods_ar_is_never_negative" in names
    too_long = {
        name: str(path) for name, path in names.items() if len(name) > POSTGRES_IDENTIFIER_LIMIT
    }
    assert too_long == {}
