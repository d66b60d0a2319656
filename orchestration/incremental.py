"""Whether a build may be incremental, and if not, why.

Incremental dbt models (staging, and the large facts) keep their own state: each processes
only the keys that files loaded since its last build touch. That state is only right for the
models and settings that produced it, and for an as-of date that moves forward. So a build
recomputes every model from the raw layer (dbt `--full-refresh`) when:

- the user asks (`amicable build --full-refresh`);
- the warehouse has no earlier build (or one from before build fingerprints);
- the dbt project's files or the business settings passed to dbt changed since the last
  build: their fingerprint is published in `marts.dim_build.build_fingerprint`;
- the as-of date is earlier than the last build's: rows dated after it would stay.

Everything else is a daily build. The reason is printed as a progress line and kept in
`marts.dim_build.full_refresh_reason`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

# The build's own values, new every build without changing what incremental state means (left
# out of the fingerprint; given to dbt in the environment, `dbt_assets.build_environment`).
BUILD_VALUES = (
    "as_of",
    "run_id",
    "build_fingerprint",
    "full_refresh_reason",
    "tested_batches",
    "tested_marks",
)


def build_fingerprint(files: Iterable[Path], root: Path, dbt_vars: Mapping[str, Any]) -> str:
    """SHA-256 of the dbt project's files (path and content) and of the vars that shape
    results (all but the per-build ones)."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    lasting = {k: v for k, v in dbt_vars.items() if k not in BUILD_VALUES}
    digest.update(json.dumps(lasting, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def full_refresh_reason(
    con: duckdb.DuckDBPyConnection, fingerprint: str, as_of: date, asked: bool
) -> str:
    """Why this build must recompute every model, or "" when it may be incremental."""
    if asked:
        return refresh_reason(None, fingerprint, as_of, asked)
    try:
        row = con.execute("select build_fingerprint, as_of_date from marts.dim_build").fetchone()
    except duckdb.Error:  # no marts yet, or a warehouse from before fingerprints
        row = None
    return refresh_reason(row, fingerprint, as_of, asked)


def refresh_reason(
    row: tuple[str | None, date] | None, fingerprint: str, as_of: date, asked: bool
) -> str:
    """`full_refresh_reason` from the last build's `marts.dim_build` (fingerprint, as-of date),
    None when there is none, whatever the engine it was read from."""
    if asked:
        return "asked for (--full-refresh)"
    if row is None or row[0] is None:
        return "first build of this warehouse"
    previous_fingerprint, previous_as_of = row
    if previous_fingerprint != fingerprint:
        return "the models or the settings changed since the last build"
    if as_of < previous_as_of:
        return f"the as-of date {as_of} is before the last build's ({previous_as_of})"
    return ""
