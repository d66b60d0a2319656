"""Reading the project's YAML files (the configuration, the compliance rule packs, the
late-payment packs) with one-line errors that name the file, the line and the key.

Each reader says what the file is (`what`: "configuration", "rule pack", ...) and which
exception its callers expect; this module only reads and words the error, and keeps a parsed
file until it changes (`parsed_once`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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


T = TypeVar("T")


def parsed_once(parse: Callable[[Path], T]) -> Callable[[Path], T]:
    """`parse` (a file to a frozen model) run again only when the file's content changes: its
    result is kept per path and content (reading a small file costs little; parsing and
    validating it is what a build repeated, a dozen times per file). A file that cannot be
    read or parsed is never kept: it raises the reader's own error each time."""

    @functools.lru_cache(maxsize=256)
    def by_content(path: Path, _content: bytes) -> T:
        return parse(path)

    @functools.wraps(parse)
    def read(path: Path) -> T:
        try:
            content = path.read_bytes()
        except OSError:
            return parse(path)  # raises the reader's own one-line error
        return by_content(path, content)

    return read


def first_problem(exc: ValidationError) -> tuple[tuple[Any, ...], str]:
    """The location and message of a validation error's first problem, without pydantic's
    `Value error, ` prefix."""
    first = exc.errors()[0]
    return tuple(first["loc"]), first["msg"].removeprefix("Value error, ")
