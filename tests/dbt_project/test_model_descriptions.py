"""Every dbt model is described in the YAML beside it, and every singular test says why it is
there (issue 15): dbt's docs, the Dagster asset, a reader of a failing test's model and the
test's record in `quality.check_results` start from these descriptions. Read from the files,
no dbt run."""

from __future__ import annotations

from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MODELS_DIR = PROJECT_DIR / "models"
TESTS_DIR = PROJECT_DIR / "tests"


def _entries(folder: Path, kind: str) -> dict[str, list[tuple[Path, str]]]:
    """Name -> (properties file, description) of each YAML entry of `kind` (`models`,
    `data_tests`) under `folder` naming it."""
    entries: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")]):
        for entry in (yaml.safe_load(path.read_text()) or {}).get(kind) or []:
            described = " ".join(str(entry.get("description") or "").split())
            entries.setdefault(entry["name"], []).append((path.relative_to(folder), described))
    return entries


def _unmatched(
    files: dict[str, Path], entries: dict[str, list[tuple[Path, str]]]
) -> dict[str, object]:
    """What breaks one described entry per SQL file, by kind of break (empty when nothing)."""
    broken = {
        "no entry": {name: sql for name, sql in files.items() if name not in entries},
        "several entries": {name: e for name, e in entries.items() if len(e) > 1},
        "an entry without its SQL file": sorted(set(entries) - set(files)),
        "no description": {name: e[0][0] for name, e in entries.items() if not e[0][1]},
    }
    return {kind: found for kind, found in broken.items() if found}


def test_every_model_has_one_yaml_entry_with_a_description() -> None:
    models = {path.stem: path.relative_to(MODELS_DIR) for path in MODELS_DIR.rglob("*.sql")}
    assert len(models) > 50, "the models were found"
    assert _unmatched(models, _entries(MODELS_DIR, "models")) == {}


def test_every_singular_test_says_why_in_its_yaml_description() -> None:
    tests = {
        path.stem: path.relative_to(TESTS_DIR)
        for path in TESTS_DIR.rglob("*.sql")
        if "generic" not in path.relative_to(TESTS_DIR).parts
    }
    assert len(tests) > 5, "the singular tests were found"
    assert _unmatched(tests, _entries(TESTS_DIR, "data_tests")) == {}
