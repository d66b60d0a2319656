"""Every dbt model is described in the YAML beside it (issue 15): dbt's docs, the Dagster asset
and a reader of a failing test's model all start from that description. Read from the files, no
dbt run."""

from __future__ import annotations

from pathlib import Path

import yaml

MODELS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "models"


def _entries() -> dict[str, list[tuple[Path, str]]]:
    """Model name -> (properties file, description) of each YAML entry naming it."""
    entries: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted([*MODELS_DIR.rglob("*.yml"), *MODELS_DIR.rglob("*.yaml")]):
        for model in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            described = " ".join(str(model.get("description") or "").split())
            entries.setdefault(model["name"], []).append((path.relative_to(MODELS_DIR), described))
    return entries


def test_every_model_has_one_yaml_entry_with_a_description() -> None:
    models = {path.stem: path.relative_to(MODELS_DIR) for path in MODELS_DIR.rglob("*.sql")}
    assert len(models) > 50, "the models were found"
    entries = _entries()
    assert {name: sql for name, sql in models.items() if name not in entries} == {}, "no entry"
    assert {name: e for name, e in entries.items() if len(e) > 1} == {}, "one entry per model"
    assert sorted(set(entries) - set(models)) == [], "an entry names a model that is gone"
    undescribed = {name: e[0][0] for name, e in entries.items() if not e[0][1]}
    assert undescribed == {}, "a model without a description"
