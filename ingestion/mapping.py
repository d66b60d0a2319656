"""Source mappings: a YAML file saying how a foreign export (CSV or an Excel sheet) feeds one
landing-zone contract table (`ingestion.contracts`), validated on load.

A mapping names its contract `table`, how to `read` the export, which rows to `skip`, and for
each contract column where its value comes from (`columns`): a source column (renamed, with a
date format, decimal and thousands separators, a value map, a default when empty, days added
from payment terms), a constant, a template over source columns, or the extraction time. See
the README ("Bring your own data") for the format by example; `ingestion.importer` applies it.

Every plain YAML scalar is read as a string (`Yes`, `No`, `0012`, `2024-01-31` stay as written:
a value map's keys are the export's own texts); `~` or nothing is null. An error is one line
naming the mapping file, the line and the key: `MappingError`.
"""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ingestion.contracts import SOURCES_BY_NAME, SourceTable

DATE_KINDS = ("date", "timestamp")
NUMBER_KINDS = ("amount", "rate")
_SAMPLE_DAY = date(2024, 11, 23)  # day > 12: a format that confuses day and month still parses


class MappingError(Exception):
    """The mapping cannot be used (one line: file, line, key, what is wrong)."""


class _Lines(dict):
    """A YAML mapping that remembers the line of each of its keys."""

    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    """Plain scalars stay strings (no YAML 1.1 `Yes` → True); mappings keep their key lines."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), [*"~nN", ""]
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Lines:
    loader.flatten_mapping(node)
    out = _Lines()
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise MappingError(f"line {line}: a key must be a name, not {key!r}")
        if key in out:
            raise MappingError(f"line {line}: {key}: given twice (first on line {out.lines[key]})")
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _check_date_format(fmt: str) -> str:
    """A date format polars writes and reads back to the same day (so it names day, month and
    year, with known directives only)."""
    try:
        text = pl.Series([_SAMPLE_DAY]).dt.strftime(fmt)
        back = text.str.strptime(pl.Date, fmt, strict=False).to_list()
    except pl.exceptions.PolarsError:
        back = [None]
    if back != [_SAMPLE_DAY]:
        raise ValueError(
            f"bad date format {fmt!r}: it must name day, month and year with strftime "
            "directives, e.g. %m/%d/%Y or %d.%m.%Y"
        )
    return fmt


def _shorthand(value: object) -> object:
    """`debtor_id: CustomerNo` is short for `debtor_id: {column: CustomerNo}`."""
    return {"column": value} if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaysFrom(_Strict):
    """Payment terms in a source column: a number of days, or a code mapped to days."""

    column: str
    map: dict[str, int] | None = None


class ColumnSpec(_Strict):
    """Where one contract column's value comes from: exactly one of column, constant,
    template, extracted_at; then the conversions."""

    column: str | None = None
    constant: str | None = None
    template: str | None = None
    extracted_at: bool = False
    default: str | None = None  # when the source value is empty
    map: dict[str, str] | None = None  # source text -> contract value; others are rejected
    date_format: str | None = None
    add_days: int | DaysFrom | None = None  # a due date from payment terms
    decimal: Literal[".", ","] = "."
    thousands: Literal["", ",", ".", " ", "'"] = ""

    @field_validator("date_format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        return value if value is None else _check_date_format(value)

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSpec:
        given = [
            name
            for name, value in (
                ("column", self.column),
                ("constant", self.constant),
                ("template", self.template),
                ("extracted_at", self.extracted_at or None),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of column, constant, template, extracted_at"
                + (f" (found {', '.join(given)})" if given else "")
            )
        if self.decimal == self.thousands:
            raise ValueError(f"decimal and thousands separators are both {self.decimal!r}")
        return self

    def source_columns(self) -> list[tuple[str, str]]:
        """(key, source column) pairs this spec reads, for the unknown-column check."""
        used = [("column", self.column)] if self.column else []
        if self.template:
            used += [("template", name) for name in template_fields(self.template)]
        if isinstance(self.add_days, DaysFrom):
            used.append(("add_days.column", self.add_days.column))
        return used


Spec = Annotated[ColumnSpec, BeforeValidator(_shorthand)]


class SkipRule(_Strict):
    """Drop a row when its `column` is empty (`empty: true`) or one of the `in` values."""

    column: str
    empty: bool = False
    in_: list[str] | None = Field(None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> SkipRule:
        if self.empty == (self.in_ is not None):
            raise ValueError("give exactly one of `empty: true` or `in: [values]`")
        return self


class ReadOptions(_Strict):
    """How to read the export: an Excel sheet (default: the first) or CSV options."""

    sheet: str | None = None
    delimiter: str = Field(",", min_length=1, max_length=1)
    encoding: Literal["utf8", "utf8-lossy"] = "utf8"
    skip_lines: int = Field(0, ge=0)  # lines above the header row


class Mapping(_Strict):
    table: str
    read: ReadOptions = ReadOptions()
    skip: list[SkipRule] = []
    distinct: bool = False  # one row per contract key: the last row of the export wins
    columns: dict[str, Spec]

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str) -> str:
        if value not in SOURCES_BY_NAME:
            raise ValueError(
                f"unknown contract table {value!r}; known: {', '.join(SOURCES_BY_NAME)}"
            )
        return value

    @property
    def source(self) -> SourceTable:
        return SOURCES_BY_NAME[self.table]


def template_fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


class LoadedMapping:
    """A validated mapping, its file, and the line of each key (for later errors)."""

    def __init__(self, path: Path, mapping: Mapping, raw: _Lines) -> None:
        self.path = path
        self.mapping = mapping
        self._raw = raw

    def line(self, *keys: str | int) -> int:
        return _line(self._raw, keys)

    def error(self, keys: tuple[str | int, ...], message: str) -> MappingError:
        where = ".".join(str(k) for k in keys)
        return MappingError(f"mapping {self.path}, line {self.line(*keys)}: {where}: {message}")


def _line(raw: object, keys: tuple[object, ...]) -> int:
    """The line of the deepest key of `keys` found in `raw` (1 when none is)."""
    line, node = 1, raw
    for key in keys:
        if isinstance(node, _Lines) and key in node:
            line, node = node.lines[key], node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
    return line


def load_mapping(path: Path) -> LoadedMapping:
    """The mapping in `path`, checked against its contract table; `MappingError` otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise MappingError(f"mapping {path}: cannot read it ({detail})") from None
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except MappingError as exc:
        raise MappingError(f"mapping {path}, {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError(f"mapping {path}{line}: not valid YAML ({problem})") from None
    if not isinstance(raw, _Lines):
        raise MappingError(f"mapping {path}, line 1: expected keys table, read, skip, columns")
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if not str(p).startswith(("function-", "DaysFrom")))
        keys = ".".join(str(p) for p in loc) or "(top)"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise MappingError(f"mapping {path}, line {_line(raw, loc)}: {keys}: {message}") from None
    loaded = LoadedMapping(path, mapping, raw)
    _check_contract(loaded)
    return loaded


def _check_contract(loaded: LoadedMapping) -> None:
    """Every column names a contract column, every required one is fed, and each conversion
    fits its column's kind."""
    source = loaded.mapping.source
    kinds = {f.name: f.kind for f in source.fields}
    for name, spec in loaded.mapping.columns.items():
        keys = ("columns", name)
        if name not in kinds:
            raise loaded.error(
                keys, f"unknown contract column of {source.name}; known: {', '.join(kinds)}"
            )
        kind = kinds[name]
        if (spec.date_format or spec.add_days is not None) and kind not in DATE_KINDS:
            key = "date_format" if spec.date_format else "add_days"
            raise loaded.error((*keys, key), f"{name} is a {kind}, not a date or timestamp")
        if (spec.decimal != "." or spec.thousands) and kind not in NUMBER_KINDS:
            key = "decimal" if spec.decimal != "." else "thousands"
            raise loaded.error((*keys, key), f"{name} is a {kind}, not an amount or rate")
    missing = [f.name for f in source.fields if f.required and f.name not in loaded.mapping.columns]
    if missing:
        raise loaded.error(
            ("columns",), f"no source for required contract column(s) {', '.join(missing)}"
        )
