"""Reading the project's YAML files (the configuration, the compliance rule packs, the
late-payment packs) with one-line errors that name the file, the line and the key.

Each reader says what the file is (`what`: "configuration", "rule pack", ...) and which
exception its callers expect; this module only reads and words the error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


def read_yaml(path: Path, what: str, error: type[Exception]) -> Any:
    """The YAML document in `path` (None when the file is empty). A file that cannot be read,
    is not UTF-8 or is not valid YAML raises `error`: `<what> <path>[, line N]: <problem>`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise error(f"{what} {path}: cannot read it ({detail})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise error(f"{what} {path}{line}: not valid YAML ({problem})") from None


def first_problem(exc: ValidationError) -> tuple[tuple[Any, ...], str]:
    """The location and message of a validation error's first problem, without pydantic's
    `Value error, ` prefix."""
    first = exc.errors()[0]
    return tuple(first["loc"]), first["msg"].removeprefix("Value error, ")
