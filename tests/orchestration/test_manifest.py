"""The orchestration's dbt manifest (`ensure_manifest`): parsed in a folder of its own and moved
into place whole, reparsed only when a project file is newer; a failed parse names the model
and keeps dbt's log."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amicable.settings import DBT_PROJECT_DIR
from orchestration.dbt_assets import ensure_manifest


def _project_copy(root: Path) -> Path:
    project = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    return project


def test_the_manifest_is_parsed_once_and_moved_into_place(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    manifest = ensure_manifest(project)
    assert manifest == project / "target" / "manifest.json"
    assert '"model.amicable.fct_promises"' in manifest.read_text()
    left = sorted(p.name for p in (project / "target").iterdir())
    assert left == ["manifest.json", "partial_parse.msgpack"]
    parsed_at = manifest.stat().st_mtime_ns
    assert ensure_manifest(project) == manifest
    assert manifest.stat().st_mtime_ns == parsed_at


def test_a_failed_parse_names_the_model_and_keeps_dbts_log(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    (project / "models" / "broken.sql").write_text("select * from {{ ref('no_such_model') }}")
    with pytest.raises(RuntimeError) as failed:
        ensure_manifest(project)
    message = str(failed.value)
    log = project / "target" / "dbt_parse_failed.log"
    assert message.startswith("dbt parse failed:")
    assert "no_such_model" in message
    assert f"dbt's full log: {log}" in message
    assert "no_such_model" in log.read_text()
    assert sorted(p.name for p in (project / "target").iterdir()) == [log.name]
