"""The one home of paths and run options.

Everything a user can set lives here, with its default. Defaults sit under one data directory:
`$AMICABLE_HOME` if set, else `./data` in the current folder:

    <data dir>/landing/           the landing zone (`amicable generate` writes the sample here)
    <data dir>/warehouse.duckdb   the DuckDB warehouse (`amicable build` writes it): a symlink
                                  to the slot file published last (`orchestration.publish`)
    <data dir>/audit/             beside the warehouse: the case-file export log
    <data dir>/dagster/warehouse/ beside the warehouse: its Dagster instance (`dagster_home`)

Business thresholds (grace days, SLAs...) are not here: they live in `config/amicable.yml`,
loaded and validated by `amicable.config`.

`AMICABLE_WAREHOUSE` names the warehouse file to dbt (profiles.yml) and to the dashboard; the
CLI sets it from `--warehouse`, so one path is shared by Dagster, dbt and Streamlit. The
dashboard also takes a PostgreSQL warehouse's URL there (`amicable.warehouse_ref`).
`AMICABLE_MEMORY_LIMIT` caps the memory of each DuckDB a build opens (`memory_limit`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DASHBOARD_APP = REPO_ROOT / "dashboards" / "app.py"
DASHBOARD_SERVER = REPO_ROOT / "dashboards" / "server.py"  # what `amicable serve` runs
DEFAULT_CONFIG = REPO_ROOT / "config" / "amicable.yml"
WAREHOUSE_ENV = "AMICABLE_WAREHOUSE"
HOME_ENV = "AMICABLE_HOME"
# The source database's URL (`--source-db`; ingestion.source_db), when no option gives it.
SOURCE_DB_ENV = "AMICABLE_SOURCE_DB"
MEMORY_LIMIT_ENV = "AMICABLE_MEMORY_LIMIT"
# dbt_project/profiles.yml repeats it as its env_var default (tests/test_settings.py).
DEFAULT_MEMORY_LIMIT = "2GB"
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


def memory_limit(env: Mapping[str, str] | None = None) -> str:
    """DuckDB's `memory_limit` for each database a build opens (the build process's and
    dbt's: profiles.yml reads the same variable): `$AMICABLE_MEMORY_LIMIT` in DuckDB's syntax
    (`2GB`, `1500MB`), else DEFAULT_MEMORY_LIMIT. Without a limit DuckDB may take 80 % of the
    machine's memory per process; with one, a join or sort that does not fit spills to a
    temporary folder beside the database instead. Raises ValueError on another syntax."""
    env = os.environ if env is None else env
    value = (env.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT).strip()
    if not _MEMORY_LIMIT.match(value):
        raise ValueError(
            f"{MEMORY_LIMIT_ENV}={value!r} is not a memory size DuckDB reads (say 2GB or 1500MB)"
        )
    return value


def case_file_export_log(warehouse: Path) -> Path:
    """The log of a warehouse's case-file exports: `<its folder>/audit/case_file_exports.jsonl`.

    Beside the warehouse, not in it: DuckDB allows one writer, and builds hold the warehouse
    while the dashboard (read-only) exports case files."""
    return Path(warehouse).parent / "audit" / "case_file_exports.jsonl"


def today() -> date:
    """The default as-of date of a build, the generator and the checks: today's date in UTC.

    The one place "today" is decided. UTC, because every timestamp in the landing zone and the
    warehouse is UTC (DESIGN.md §3): on a machine east of Greenwich shortly after midnight, a
    local date would run ahead of the data. `--as-of DATE` overrides it."""
    return datetime.now(UTC).date()


# The schemas of a warehouse (`scores` once a case score is trained: amicable.scores).
SCHEMAS = ("raw", "staging", "intermediate", "marts", "quality", "alerts", "scores")


def warehouse_name(warehouse: Path) -> str:
    """A warehouse's name: its file name without `.duckdb` and without the suffix of the slot
    a build writes or of a build kept apart (`orchestration.publish`)."""
    name = Path(warehouse).name
    for suffix in (".slot-a", ".slot-b", ".rejected", ".duckdb"):
        name = name.removesuffix(suffix)
    return name


def run_files_dir(warehouse: Path) -> Path:
    """Where a warehouse's build log, dbt artifacts and quality report go:
    `<its folder>/logs/<its name>/`, so two warehouses in one folder never share them."""
    return Path(warehouse).parent / "logs" / warehouse_name(warehouse)


def dagster_home(warehouse: Path) -> Path:
    """A warehouse's Dagster instance (`DAGSTER_HOME`: its runs, materialisations and check
    evaluations): `<its folder>/dagster/<its name>/`. `amicable build` records its runs there
    and `amicable dagster` shows them; one instance per warehouse, so two warehouses' builds
    never share a history or an SQLite file."""
    return Path(warehouse).parent / "dagster" / warehouse_name(warehouse)


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get(HOME_ENV) or "data")


@dataclass(frozen=True)
class Settings:
    """Paths and options of one build."""

    landing: Path
    warehouse: Path
    as_of: date = field(default_factory=today)
    config: Path = DEFAULT_CONFIG  # business thresholds, see amicable.config
    reporting_currency: str = ""  # overrides the configuration's when set
    full_refresh: bool = False  # recompute every model from raw, not only what new files touch
    # PostgreSQL URL of the case tool's and the ERP's database, extracted into the landing zone
    # before ingestion (ingestion.source_db); empty: the landing zone's files only.
    source_db: str = ""

    @classmethod
    def defaults(cls, env: Mapping[str, str] | None = None) -> Settings:
        data_dir = default_data_dir(env)
        env = os.environ if env is None else env
        warehouse = env.get(WAREHOUSE_ENV) or str(data_dir / "warehouse.duckdb")
        return cls(
            landing=data_dir / "landing",
            warehouse=Path(warehouse),
            source_db=env.get(SOURCE_DB_ENV, ""),
        )
