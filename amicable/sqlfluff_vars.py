"""A sqlfluff plugin (dev only): the dbt vars a build passes, for sqlfluff's dbt templater.

The models need the configuration's thresholds and rule packs to compile (dbt has no defaults
for them, by design), so `sqlfluff lint` compiles them with the values `amicable build` passes:
`Config.dbt_vars()` of `config/amicable.yml`, read here and nowhere else. The as-of date, a run
option, is set in `.sqlfluff`. Registered under `[project.entry-points.sqlfluff]` in
pyproject.toml; sqlfluff merges this under the project's `.sqlfluff`.
"""

from functools import cache
from typing import Any

from sqlfluff.core.plugin import hookimpl


@cache
def _dbt_vars() -> dict[str, Any]:
    from amicable.config import load_config
    from amicable.settings import DEFAULT_CONFIG

    return load_config(DEFAULT_CONFIG).dbt_vars()


@hookimpl
def load_default_config() -> dict[str, Any]:
    return {"templater": {"dbt": {"context": _dbt_vars()}}}
