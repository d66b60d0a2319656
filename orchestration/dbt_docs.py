"""dbt's documentation site for a warehouse (`amicable docs`): generate it, then serve it.

The models compile with the vars a build passes (`orchestration.dbt_assets.dbt_vars`: the
configuration's thresholds and rule packs, the as-of date, the reporting currency), so the
compiled SQL shown is the build's. The catalog (column types) is read from the published
warehouse, opened read-only so that a dashboard or a build reading it is never in the way; with
no warehouse yet the site has an empty catalog (descriptions, lineage and SQL, no column types).
On a PostgreSQL warehouse (issue 16) the models compile in its dialect (profiles.yml's
`postgres` output, its connection from the URL) and the catalog is read from its published
schemas (dbt's catalog queries only read).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import yaml

from amicable.settings import DBT_PROJECT_DIR, WAREHOUSE_ENV
from amicable.warehouse_ref import PostgresWarehouse
from orchestration.dbt_assets import DBT_TARGET, DbtBuildConfig, dbt_executable, dbt_vars

PROFILE = "amicable"
LINT_TARGET = "lint"  # profiles.yml: an in-memory DuckDB, for compiling without a warehouse
PG_TARGET = "postgres"  # profiles.yml's PostgreSQL output (as orchestration.pg_build's builds)


class DocsFailed(Exception):
    """dbt could not generate or serve the documentation; the message ends with dbt's words."""


def read_only_profile(folder: Path) -> Path:
    """A profiles.yml in `folder`: the committed profile's warehouse target, opened read-only
    (DuckDB's `access_mode`), so it coexists with the dashboard's readers."""
    committed = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    profile = committed[PROFILE]
    target = dict(profile["outputs"][DBT_TARGET])  # the DuckDB output the builds write
    target["config_options"] = {**target.get("config_options", {}), "access_mode": "READ_ONLY"}
    docs = {PROFILE: {"target": "docs", "outputs": {"docs": target}}}
    (folder / "profiles.yml").write_text(yaml.safe_dump(docs), encoding="utf-8")
    return folder


def generate_docs(
    warehouse: Path | PostgresWarehouse, business: dict, config: DbtBuildConfig, out: Path
) -> bool:
    """Write dbt's documentation site to `out` (`index.html`, `manifest.json`, `catalog.json`,
    and `static_index.html`, one file that opens without a server). `business`: the
    configuration's dbt vars (`amicable.config.Config.dbt_vars`). Returns whether the catalog
    was read from `warehouse` (False: no warehouse there, empty catalog)."""
    out.mkdir(parents=True, exist_ok=True)
    on_postgres = isinstance(warehouse, PostgresWarehouse)
    has_warehouse = on_postgres or warehouse.is_file()
    with tempfile.TemporaryDirectory() as work:
        command = [
            dbt_executable(), "docs", "generate", "--static", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(out),
            "--log-path", str(Path(work) / "logs"),
            "--vars", json.dumps(dbt_vars(config, business), sort_keys=True),
        ]  # fmt: skip
        if on_postgres:  # every transaction read-only, as DuckDB's access_mode
            command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target", PG_TARGET]
            read_only = "-c default_transaction_read_only=on"
            env = {**os.environ, **warehouse.profile_env(), "PGOPTIONS": read_only}
        elif has_warehouse:
            command += ["--profiles-dir", str(read_only_profile(Path(work)))]
            env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
        else:
            command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target", LINT_TARGET]
            command += ["--empty-catalog"]
            env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        raise DocsFailed(f"dbt docs generate failed: {lines[-1] if lines else done.returncode}")
    return has_warehouse


def serve_docs(out: Path, port: int) -> int:
    """Serve the site in `out` on http://127.0.0.1:`port` (dbt docs serve) until Ctrl+C."""
    command = [
        dbt_executable(), "docs", "serve", "--no-browser", "--host", "127.0.0.1",
        "--port", str(port), "--project-dir", str(DBT_PROJECT_DIR), "--target-path", str(out),
        "--profiles-dir", str(DBT_PROJECT_DIR), "--target", LINT_TARGET,
    ]  # fmt: skip
    try:
        return subprocess.run(command, check=False).returncode
    except KeyboardInterrupt:
        return 0
